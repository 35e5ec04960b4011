import { extractCode, messageText } from "../../src/graph/extract-code.js";

const F = "```";

describe("extractCode (javascript)", () => {
  it.each([
    ["tagged js", `Let me check.\n${F}js\nconst x = 1;\nconsole.log(x);\n${F}\nDone?`, "const x = 1;\nconsole.log(x);"],
    ["javascript", `${F}javascript\nfoo()\n${F}`, "foo()"],
    ["upper-case tag", `${F}JavaScript\nfoo()\n${F}`, "foo()"],
    ["typescript", `${F}ts\nconst n: number = 1\n${F}`, "const n: number = 1"],
    ["tsx/jsx/mjs/node", `${F}tsx\na\n${F}\n${F}jsx\nb\n${F}\n${F}mjs\nc\n${F}\n${F}node\nd\n${F}`, "a\nb\nc\nd"],
    ["untagged", `${F}\nawait search({ query: "x" })\n${F}`, 'await search({ query: "x" })'],
    ["several blocks in order", `First:\n${F}js\nlet a = 1\n${F}\nthen\n${F}\na += 1\n${F}`, "let a = 1\na += 1"],
    ["python block ignored", `${F}python\nprint(1)\n${F}`, null],
    ["other languages ignored", `${F}bash\nls\n${F}\n${F}json\n{"a":1}\n${F}\n${F}output\n3\n${F}\n${F}js\nrun()\n${F}\n${F}text\nhi\n${F}`, "run()"],
    ["unknown lone tag ignored", `${F}rust\nfn main() {}\n${F}`, null],
    ["code on the fence line after a tag", `${F}js const x = 1\nconsole.log(x)\n${F}`, "const x = 1\nconsole.log(x)"],
    ["code on the fence line without a tag", `${F}x=1\nconsole.log(x)\n${F}`, "x=1\nconsole.log(x)"],
    ["code on the fence line with spaces", `${F}const y = 2\n${F}`, "const y = 2"],
    ["one-line block", `Run ${F}js foo()${F} now`, null],
    ["one-line block on its own line", `${F}js foo()${F}`, "foo()"],
    ["indented fence dedented", `1. Step:\n   ${F}js\n   if (a) {\n     b()\n   }\n   ${F}`, "if (a) {\n  b()\n}"],
    ["tilde fence", `~~~js\nfoo()\n~~~`, "foo()"],
    ["backticks inside a tilde fence", `~~~\nconst s = "${F}";\n${F}\nstill()\n~~~`, `const s = "${F}";\n${F}\nstill()`],
    ["longer fence closes only with as many", `${F}\`js\nconst md = \`\n${F}\n\`\n${F}\``, `const md = \`\n${F}\n\``],
    ["unterminated fence takes the rest", `Here:\n${F}js\nconst a = 1\nconsole.log(a)`, "const a = 1\nconsole.log(a)"],
    ["whitespace-only block ignored", `${F}js\n   \n\n${F}\n${F}js\nok()\n${F}`, "ok()"],
    ["only whitespace blocks", `${F}js\n\n${F}`, null],
    ["no code", "The answer is 42.", null],
    ["inline code is not a block", "Use `foo()` or ``bar``.", null],
    ["CRLF line endings", `${F}js\r\na()\r\nb()\r\n${F}\r\n`, "a()\nb()"],
    ["blank lines kept inside, dropped at the edges", `${F}js\n\na()\n\nb()\n\n${F}`, "a()\n\nb()"],
  ] as const)("%s", (_name, text, expected) => {
    expect(extractCode(text, "javascript")).toBe(expected);
  });
});

describe("extractCode (python)", () => {
  it.each([
    ["python", `${F}python\nprint(1)\n${F}`, "print(1)"],
    ["py / python3 / ipython", `${F}py\na\n${F}\n${F}python3\nb\n${F}\n${F}IPython\nc\n${F}`, "a\nb\nc"],
    ["untagged", `${F}\nx = search("q")\n${F}`, 'x = search("q")'],
    ["javascript ignored", `${F}js\nconsole.log(1)\n${F}`, null],
    ["first line x=1 is code", `${F}x=1\nprint(x)\n${F}`, "x=1\nprint(x)"],
    ["code after the tag", `${F}python import math\nprint(math.pi)\n${F}`, "import math\nprint(math.pi)"],
    ["indented block keeps relative indentation", `  ${F}python\n  for i in range(2):\n      print(i)\n  ${F}`, "for i in range(2):\n    print(i)"],
    ["tilde fence", `~~~python\nprint(2)\n~~~`, "print(2)"],
    ["output block ignored", `${F}python\nprint(2)\n${F}\n${F}output\n2\n${F}`, "print(2)"],
    ["unterminated", `${F}python\nprint(3)\n\n`, "print(3)"],
    ["no code", "All done: 3 files.", null],
  ] as const)("%s", (_name, text, expected) => {
    expect(extractCode(text, "python")).toBe(expected);
  });
});

describe("messageText", () => {
  it.each([
    ["a string", "hello", "hello"],
    ["text blocks joined with newlines", [{ type: "text", text: "a" }, { type: "text", text: "b" }], "a\nb"],
    [
      "non-text blocks ignored",
      [
        { type: "image_url", image_url: { url: "data:," } },
        { type: "text", text: `${F}js\nx()\n${F}` },
        { type: "tool_use", id: "1", name: "t", input: {} },
      ],
      `${F}js\nx()\n${F}`,
    ],
    ["empty list", [], ""],
  ] as const)("%s", (_name, content, expected) => {
    expect(messageText(content as never)).toBe(expected);
  });
});
