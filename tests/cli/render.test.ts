import { createRenderer, shouldUseColor } from "../../src/cli/render.js";

function target(isTTY = false) {
  const chunks: string[] = [];
  return { isTTY, chunks, write: (text: string) => chunks.push(text), text: () => chunks.join("") };
}

const ESC = "\u001b[";

describe("shouldUseColor", () => {
  it("colours terminals only, honours NO_COLOR and FORCE_COLOR", () => {
    expect(shouldUseColor({ isTTY: true, write() {} }, {})).toBe(true);
    expect(shouldUseColor({ isTTY: false, write() {} }, {})).toBe(false);
    expect(shouldUseColor({ isTTY: true, write() {} }, { NO_COLOR: "1" })).toBe(false);
    expect(shouldUseColor({ isTTY: true, write() {} }, { NO_COLOR: "" })).toBe(true);
    expect(shouldUseColor({ isTTY: false, write() {} }, { FORCE_COLOR: "1" })).toBe(true);
    expect(shouldUseColor({ isTTY: true, write() {} }, { FORCE_COLOR: "0", NO_COLOR: "x" })).toBe(false);
  });
});

describe("createRenderer", () => {
  it("labels the code, streams output, then shows value, error and answer on their own lines", () => {
    const out = target();
    const renderer = createRenderer({ target: out, color: false, quiet: false });
    renderer.stepStart(1, "console.log(1)\nx.y\n", "javascript");
    renderer.output("partial");
    renderer.stepEnd({
      output: "partial",
      value: "42",
      error: { name: "TypeError", message: "x is undefined", traceback: "TypeError: x is undefined\n    at <cell>:2:1" },
      outputs: [],
      durationMs: 12.4,
    });
    renderer.answer("Done.");
    expect(out.text()).toBe(
      [
        "── step 1 · javascript ──",
        "│ console.log(1)",
        "│ x.y",
        "partial",
        "→ 42",
        "✗ TypeError: x is undefined",
        "    at <cell>:2:1",
        "(12 ms)",
        "── answer ──",
        "Done.",
        "",
      ].join("\n")
    );
    expect(out.text()).not.toContain(ESC);
  });

  it("prints the result's output when nothing was streamed", () => {
    const out = target();
    const renderer = createRenderer({ target: out, color: false, quiet: false });
    renderer.stepStart(2, "print(1)", "python");
    renderer.stepEnd({ output: "1\n", outputs: [{ mimeType: "image/png", data: "AAAA" }], durationMs: 3 });
    expect(out.text()).toContain("── step 2 · python ──\n│ print(1)\n1\n[image/png output, 4 chars]\n(3 ms)\n");
  });

  it("dims the code with ANSI colour when asked", () => {
    const out = target(true);
    createRenderer({ target: out, color: true, quiet: false }).stepStart(1, "let a = 1", "javascript");
    expect(out.text()).toContain(`${ESC}2mlet a = 1${ESC}0m`);
  });

  it("prints only the answer when quiet", () => {
    const out = target();
    const renderer = createRenderer({ target: out, color: false, quiet: true });
    renderer.stepStart(1, "code()", "javascript");
    renderer.output("noise");
    renderer.stepEnd({ output: "noise", outputs: [], durationMs: 1 });
    renderer.answer("just this");
    expect(out.text()).toBe("just this\n");
  });
});
