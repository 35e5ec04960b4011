import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

// The layering the README's Architecture section describes, checked on the
// source: each folder of src/ imports only the folders listed for it, and no
// module imports itself back through a cycle.
const SRC = resolve(__dirname, "../../src");
const ALLOWED: Record<string, readonly string[]> = {
  shared: [],
  executors: ["shared"],
  tools: ["executors", "shared"],
  prompts: ["tools", "executors", "shared"],
  tracing: ["executors", "shared"],
  graph: ["prompts", "tools", "tracing", "executors", "shared"],
  cli: ["graph", "prompts", "tools", "tracing", "executors", "shared"],
  testing: ["executors", "shared"],
  ".": ["graph", "prompts", "tools", "tracing", "executors", "shared", "testing", "cli"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]!);
  const dynamic = [...text.matchAll(/import\("(\.{1,2}\/[^"]+)"\)/g)].map((m) => m[1]!);
  return [...found, ...dynamic].map((spec) => resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
}

const folderOf = (file: string): string => {
  const parts = relative(SRC, file).split("/");
  return parts.length === 1 ? "." : parts[0]!;
};

describe("src/ layering", () => {
  const files = sourceFiles(SRC);
  const graph = new Map(files.map((file) => [file, imports(file)]));

  it("imports only from the folders each folder may use", () => {
    const violations: string[] = [];
    for (const [file, targets] of graph) {
      const from = folderOf(file);
      for (const target of targets) {
        const to = folderOf(target);
        if (to !== from && !(ALLOWED[from] ?? []).includes(to)) {
          violations.push(`${relative(SRC, file)} → ${relative(SRC, target)}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it("has no import cycles", () => {
    const cycles: string[] = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "visiting") {
        cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(SRC, f)).join(" → "));
        return;
      }
      state.set(file, "visiting");
      for (const target of graph.get(file) ?? []) if (graph.has(target)) visit(target, [...path, file]);
      state.set(file, "done");
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it("keeps every file under the size a reader can hold (~350 lines)", () => {
    const long = files
      .map((file) => ({ file: relative(SRC, file), lines: readFileSync(file, "utf8").split("\n").length }))
      .filter(({ lines }) => lines > 360);
    expect(long).toEqual([]);
  });
});
