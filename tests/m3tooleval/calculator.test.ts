import { calculate } from "../../bench/m3tooleval/tools/trade-calculator.js";
import { formatPythonFloat, literalEval, pythonRepr, PyTuple } from "../../bench/m3tooleval/python-values.js";

describe("calculator (Python semantics, no eval)", () => {
  it.each([
    ["2 + (3 * 4)", "14"],
    ["2 + 3 * 4", "14"],
    ["3+4.0", "7.0"],
    ["0.1+0.2", "0.30000000000000004"],
    ["-2**2", "-4"],
    ["2**-1", "0.5"],
    ["2**3**2", "512"],
    ["-7//2", "-4"],
    ["-7%3", "2"],
    ["7%-3", "-2"],
    ["7.5//2", "3.0"],
    ["-7.5%2", "0.5"],
    ["10/5", "2.0"],
    ["2**100", "1267650600228229401496703205376"],
    ["1e16", "1e+16"],
    ["1.5e-5", "1.5e-05"],
    ["150 + 150 * 7.5 / 100", "161.25"],
    ["171.06 + 103.84 + 105.52", "380.41999999999996"],
  ])("%s → %s", (expression, expected) => {
    expect(calculate(expression)).toBe(expected);
  });

  it.each(["1/0", "abc", "(1+2", "__import__('os')", "2 +"])("%s fails like upstream", (expression) => {
    expect(calculate(expression)).toBe(`Failed to evaluate expression: ${expression}`);
  });
});

describe("Python printing and literal_eval", () => {
  it("prints floats as repr does", () => {
    expect(formatPythonFloat(8100)).toBe("8100.0");
    expect(formatPythonFloat(228.15900000000002)).toBe("228.15900000000002");
    expect(formatPythonFloat(0.0001)).toBe("0.0001");
    expect(formatPythonFloat(0.00001)).toBe("1e-05");
  });

  it("prints containers and strings as repr does", () => {
    expect(pythonRepr(new PyTuple(["A", 3]))).toBe("('A', 3)");
    expect(pythonRepr([{ a: '"E"' }])).toBe(`[{'a': '"E"'}]`);
    expect(pythonRepr("it's")).toBe(`"it's"`);
  });

  it("parses literals", () => {
    expect(pythonRepr(literalEval("[36380.0, 48150, -1]"))).toBe("[36380.0, 48150, -1]");
    expect(pythonRepr(literalEval("('A', 3)"))).toBe("('A', 3)");
    expect(pythonRepr(literalEval("{'T': 1, \"A\": 2}"))).toBe("{'T': 1, 'A': 2}");
    expect(literalEval("True")).toBe(true);
    expect(() => literalEval("1+2")).toThrow();
    expect(() => literalEval("false")).toThrow();
  });
});
