import { transformCell } from "../../../src/executors/isolated-vm/transform.js";

function script(code: string): string {
  const outcome = transformCell(code, "cell-1.ts");
  if (!outcome.ok) throw new Error(outcome.error.message);
  return outcome.cell.script;
}

describe("transformCell", () => {
  it("declares top-level names as globals and keeps line numbers", () => {
    const code = "const a: number = 1\nlet { b, c: [d] } = o\nfunction f() {}\nclass K {}\na";
    const outcome = transformCell(code, "cell-1.ts");
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.cell.declaredNames).toEqual(["a", "b", "d", "f", "K"]);
    const lines = outcome.cell.script.split("\n");
    // prefix shares line 1; every cell line keeps its number
    // keywords are replaced by text of the same length, so columns stay right
    expect(lines[0]).toBe("var a, b, d, f, K; (async () => { this.f = f; ;(    a = 1)");
    expect(lines[0]?.length).toBe(outcome.cell.firstLineOffset + code.split("\n")[0]!.length - ": number".length + ")".length);
    expect(lines[3]).toBe("class K {};this.K = K;;return [(");
    expect(lines[2]).toBe("function f() {}");
    expect(lines[4]).toBe("a)]");
    expect(outcome.cell.script).toContain("//# sourceURL=cell-1.ts");
  });

  it("guards rewritten declarations against ASI joins", () => {
    expect(script("f()\nconst x = 1")).toContain("f()\n;(    x = 1)");
  });

  it("hoists var in top-level blocks and loop heads, not in functions", () => {
    const outcome = transformCell(
      "for (var i = 0; i < 1; i++) { var j = i }\nfunction g() { var local = 1 }",
      "cell-1.ts"
    );
    expect(outcome.ok && outcome.cell.declaredNames).toEqual(["i", "j", "g"]);
  });

  it("strips type arguments of calls, which also parse as JavaScript comparisons", () => {
    expect(script("const m = identity<string>(1)")).toContain("m = identity(1)");
  });

  it("reports syntax errors with line:column and the offending line", () => {
    const outcome = transformCell("const a = 1\nconst b = ;", "cell-4.ts");
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.name).toBe("SyntaxError");
    expect(outcome.error.message).toContain("cell-4.ts:2:11");
    expect(outcome.error.message).toContain("2 | const b = ;");
  });

  it("reports TypeScript syntax errors found while stripping types", () => {
    const outcome = transformCell("let a: = 3", "cell-1.ts");
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.message).toContain("let a: = 3");
  });

  it("rejects a top-level return", () => {
    const outcome = transformCell("return 1", "cell-1.ts");
    expect(outcome.ok).toBe(false);
  });
});
