/**
 * The published package as a user gets it: `npm pack`, the tarball unpacked
 * into a fresh consumer project, and the README's Quick start typechecked in
 * ESM TypeScript (`nodenext` and `bundler`) and run in ESM and CommonJS.
 *
 * The consumer's other dependencies are links to this checkout's installed
 * ones (an `npm install` would download and compile isolated-vm again, for
 * minutes); the package itself comes only from the tarball.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

jest.setTimeout(240_000);

const ROOT = resolve(__dirname, "../..");
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");

// The Quick start, with a scripted chat model in place of ChatOpenAI (no network).
const QUICK_START_BODY = `
const getPrice = tool(async ({ sku }) => ({ sku, price: sku.length * 10 }), {
  name: "get_price",
  description: "Price of a product in euros.",
  schema: z.object({ sku: z.string().describe("Product code") }),
});

const executor = new IsolatedVmExecutor({ timeoutMs: 10_000, memoryLimitMb: 64 });
const agent = createCodeActAgent({
  model: new FakeListChatModel({
    responses: [
      "\`\`\`javascript\\nconst skus = ['A1', 'B22', 'C333'];\\nconst prices = await Promise.all(skus.map((sku) => get_price({ sku })));\\nprices.reduce((sum, p) => sum + p.price, 0)\\n\`\`\`",
      "The total is 90 euros.",
    ],
  }),
  tools: [getPrice],
  executor,
  checkpointer: new MemorySaver(),
});

const result = await agent.invoke(
  { messages: [{ role: "user", content: "Total price of A1, B22 and C333?" }] },
  { configurable: { thread_id: "demo" } }
);
console.log(JSON.stringify({ observation: result.messages[2]?.content, answer: result.messages.at(-1)?.content }));
await executor.close();
`;

const ESM_QUICK_START = `import { createCodeActAgent } from "langgraph-codeact";
import { IsolatedVmExecutor } from "langgraph-codeact/executors/isolated-vm";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { MemorySaver } from "@langchain/langgraph";
import { tool } from "@langchain/core/tools";
import { z } from "zod";
${QUICK_START_BODY}`;

const CJS_QUICK_START = `const { createCodeActAgent } = require("langgraph-codeact");
const { IsolatedVmExecutor } = require("langgraph-codeact/executors/isolated-vm");
const { FakeListChatModel } = require("@langchain/core/utils/testing");
const { MemorySaver } = require("@langchain/langgraph");
const { tool } = require("@langchain/core/tools");
const { z } = require("zod");
(async () => {
${QUICK_START_BODY}
})().catch((error) => { console.error(error); process.exit(1); });
`;

let work: string;
let consumer: string;
let packageDir: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "codeact-pack-"));
  const output = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: ROOT, encoding: "utf8" });
  const [{ filename }] = JSON.parse(output) as [{ filename: string }];
  consumer = join(work, "consumer");
  packageDir = join(consumer, "node_modules/langgraph-codeact");
  mkdirSync(packageDir, { recursive: true });
  execFileSync("tar", ["-xzf", join(work, filename), "-C", packageDir, "--strip-components=1"]);
  for (const entry of readdirSync(join(ROOT, "node_modules"))) {
    if (entry === ".bin" || entry === "langgraph-codeact" || entry.startsWith(".")) continue;
    symlinkSync(join(ROOT, "node_modules", entry), join(consumer, "node_modules", entry));
  }
});

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

function run(file: string): { observation: string; answer: string } {
  const stdout = execFileSync(process.execPath, [file], {
    cwd: consumer,
    encoding: "utf8",
    // The user's own process, without any flag (the default process isolation's worker gets it).
    env: { ...process.env, NODE_OPTIONS: "" },
    timeout: 30_000,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as { observation: string; answer: string };
}

function typecheck(name: string, compilerOptions: Record<string, unknown>): void {
  const dir = join(consumer, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "quick-start.ts"), ESM_QUICK_START);
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { strict: true, target: "ES2022", skipLibCheck: true, noEmit: true, types: [], ...compilerOptions }, files: ["quick-start.ts"] })
  );
  execFileSync(process.execPath, [TSC, "-p", join(dir, "tsconfig.json")], { cwd: consumer, encoding: "utf8" });
}

describe("the published tarball", () => {
  it("ships the licence, the README, and sources for every source map", () => {
    expect(readFileSync(join(packageDir, "LICENSE"), "utf8")).toMatch(/^MIT License/);
    expect(existsSync(join(packageDir, "README.md"))).toBe(true);
    const maps: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith(".map")) maps.push(path);
      }
    };
    walk(join(packageDir, "dist"));
    expect(maps.length).toBeGreaterThan(50);
    const missing = maps.flatMap((map) =>
      (JSON.parse(readFileSync(map, "utf8")) as { sources: string[] }).sources
        .map((source) => resolve(dirname(map), source))
        .filter((source) => !existsSync(source))
    );
    expect(missing).toEqual([]);
    // Nothing of the tests or the build set-up is published.
    expect(existsSync(join(packageDir, "tests"))).toBe(false);
  });

  it("ships the sandbox's worker process as one file each for the library and the CLI (they start ~30 ms sooner)", () => {
    const library = readFileSync(join(packageDir, "dist/executors/isolated-vm/process-worker.js"), "utf8");
    const cli = readFileSync(join(packageDir, "dist/cli/process-worker.cjs"), "utf8");
    for (const worker of [library, cli]) {
      // nothing of ours imported from beside it; isolated-vm is loaded at run time
      expect(worker).not.toMatch(/\b(from|import|require)\s*\(?\s*["']\.\.?\//);
      expect(worker).toMatch(/CellRunner\s*=\s*class/);
    }
    // a stale map of tsc's output would describe other code
    expect(existsSync(join(packageDir, "dist/executors/isolated-vm/process-worker.js.map"))).toBe(false);
  });

  it("has a README whose links and images all work on a registry page (absolute or in-page only)", () => {
    const readme = readFileSync(join(packageDir, "README.md"), "utf8");
    const targets = [...readme.matchAll(/!?\[[^\]]*\]\(([^)\s]+)[^)]*\)/g)].map((match) => match[1] ?? "");
    expect(targets.length).toBeGreaterThan(5);
    expect(targets.filter((target) => !/^(https?:\/\/|#)/.test(target))).toEqual([]);
  });

  it("typechecks the Quick start in ESM TypeScript with module nodenext and with bundler resolution", () => {
    writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    typecheck("nodenext", { module: "nodenext", moduleResolution: "nodenext" });
    typecheck("bundler", { module: "esnext", moduleResolution: "bundler" });
  });

  it("runs the Quick start as an ES module and as CommonJS (require)", () => {
    writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true }));
    writeFileSync(join(consumer, "quick-start.mjs"), ESM_QUICK_START);
    writeFileSync(join(consumer, "quick-start.cjs"), CJS_QUICK_START);
    for (const file of ["quick-start.mjs", "quick-start.cjs"]) {
      const { observation, answer } = run(file);
      expect(observation).toContain("Value: 90");
      expect(answer).toBe("The total is 90 euros.");
    }
  });

  it("loads every subpath with require and import; the MCP one without its optional package says what to install", () => {
    const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as { exports: Record<string, unknown> };
    const subpaths = Object.keys(manifest.exports).filter((key) => key !== "./package.json");
    expect(subpaths).toEqual(expect.arrayContaining([".", "./executors/isolated-vm", "./executors/jupyter", "./testing", "./mcp"]));
    for (const subpath of subpaths) {
      const specifier = subpath === "." ? "langgraph-codeact" : `langgraph-codeact/${subpath.slice(2)}`;
      const probe = `const m = %LOAD%; console.log(Object.keys(m).length > 0 ? "loaded" : "empty")`;
      for (const [flag, load] of [["--eval", `require(${JSON.stringify(specifier)})`], ["--input-type=module", `await import(${JSON.stringify(specifier)})`]] as const) {
        const args = flag === "--eval" ? ["--eval", probe.replace("%LOAD%", load)] : ["--input-type=module", "--eval", probe.replace("%LOAD%", load)];
        expect(execFileSync(process.execPath, args, { cwd: consumer, encoding: "utf8" }).trim()).toBe("loaded");
      }
    }
    // A consumer like the others but without the optional MCP package.
    const bare = join(work, "bare");
    mkdirSync(join(bare, "node_modules/@langchain"), { recursive: true });
    for (const entry of readdirSync(join(consumer, "node_modules"))) {
      if (entry === "@langchain" || entry === ".bin" || entry === "langgraph-codeact") continue;
      symlinkSync(join(consumer, "node_modules", entry), join(bare, "node_modules", entry));
    }
    // copied, not linked: Node resolves a link's real path, whose neighbours include the package
    cpSync(packageDir, join(bare, "node_modules/langgraph-codeact"), { recursive: true });
    for (const entry of readdirSync(join(consumer, "node_modules/@langchain"))) {
      if (entry === "mcp-adapters") continue;
      symlinkSync(join(consumer, "node_modules/@langchain", entry), join(bare, "node_modules/@langchain", entry));
    }
    const missing = execFileSync(
      process.execPath,
      ["--eval", 'require("langgraph-codeact/mcp").loadMcpTools({}).then(() => console.log("no error"), (e) => console.log(e.code + " " + e.message))'],
      { cwd: bare, encoding: "utf8" }
    );
    expect(missing).toMatch(/^EXECUTOR_UNAVAILABLE .*npm install @langchain\/mcp-adapters/);
  });

  it("lets a script that never closes its executor exit (the idle worker does not hold it)", () => {
    writeFileSync(
      join(consumer, "no-close.mjs"),
      ESM_QUICK_START.replace("await executor.close();", "").replace(
        "const executor = new IsolatedVmExecutor({ timeoutMs: 10_000, memoryLimitMb: 64 });",
        "const executor = undefined; // the agent's default executor"
      )
    );
    const started = Date.now();
    const { answer } = run("no-close.mjs");
    expect(answer).toBe("The total is 90 euros.");
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe("without a working isolated-vm", () => {
  it("says once what is missing and how to install it, with no unhandled rejection", () => {
    // A consumer whose isolated-vm was installed with its build skipped: the package is there, its binary is not.
    const broken = join(work, "broken");
    mkdirSync(join(broken, "node_modules/isolated-vm"), { recursive: true });
    writeFileSync(join(broken, "node_modules/isolated-vm/package.json"), JSON.stringify({ name: "isolated-vm", version: "5.0.4", main: "isolated-vm.js" }));
    writeFileSync(join(broken, "node_modules/isolated-vm/isolated-vm.js"), "module.exports = require('./out/isolated_vm');\n");
    for (const entry of readdirSync(join(consumer, "node_modules"))) {
      if (entry === "isolated-vm" || entry === "langgraph-codeact") continue;
      symlinkSync(join(consumer, "node_modules", entry), join(broken, "node_modules", entry));
    }
    // A copy, not a link: Node resolves isolated-vm from the package's real path.
    cpSync(packageDir, join(broken, "node_modules/langgraph-codeact"), { recursive: true });
    writeFileSync(join(broken, "package.json"), JSON.stringify({ name: "broken", private: true, type: "module" }));
    writeFileSync(
      join(broken, "default-executor.mjs"),
      `import { createCodeActAgent } from "langgraph-codeact";
import { FakeListChatModel } from "@langchain/core/utils/testing";
const agent = createCodeActAgent({ model: new FakeListChatModel({ responses: ["\`\`\`javascript\\n1 + 1\\n\`\`\`", "2"] }) });
try {
  await agent.invoke({ messages: [{ role: "user", content: "1 + 1?" }] });
  console.log("no error");
} catch (error) {
  console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message }));
}
// An unhandled rejection would end the process (exit 1) before this.
await new Promise((resolve) => setTimeout(resolve, 300));
console.log("still alive");
`
    );
    writeFileSync(
      join(broken, "explicit.mjs"),
      `try {
  await import("langgraph-codeact/executors/isolated-vm");
} catch (error) {
  console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message }));
}
`
    );
    for (const file of ["default-executor.mjs", "explicit.mjs"]) {
      const stdout = execFileSync(process.execPath, [file], { cwd: broken, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" }, timeout: 30_000 });
      const [first] = stdout.trim().split("\n");
      const error = JSON.parse(first ?? "{}") as { name: string; code: string; message: string };
      expect(error).toMatchObject({ name: "ExecutorUnavailableError", code: "EXECUTOR_UNAVAILABLE" });
      expect(error.message).toMatch(/^The isolated-vm native module could not be loaded \(Cannot find module '\.\/out\/isolated_vm'/);
      expect(error.message).toContain("npm install isolated-vm");
      expect(error.message).toContain("python3, make and a C++ compiler");
      if (file === "default-executor.mjs") expect(stdout).toContain("still alive");
    }
  });
});

