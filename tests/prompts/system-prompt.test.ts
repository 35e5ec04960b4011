import { tool } from "@langchain/core/tools";
import { z } from "zod";
import { extractCode } from "../../src/graph/extract-code.js";
import { buildSystemPrompt } from "../../src/prompts/index.js";

const search = tool(async () => "", {
  name: "web-search",
  description: "Search the web.",
  schema: z.object({ query: z.string().describe("The query"), limit: z.number().default(5) }),
});

function tenTools() {
  return Array.from({ length: 10 }, (_, index) =>
    tool(async () => "", {
      name: `tool_${index}`,
      description: `Does thing number ${index} and returns the result.`,
      schema: z.object({
        query: z.string().describe("What to look for"),
        limit: z.number().int().default(10).describe("Max results"),
      }),
    })
  );
}

describe("buildSystemPrompt", () => {
  it("explains the JavaScript CodeAct loop", async () => {
    const prompt = await buildSystemPrompt({ language: "javascript", tools: [search], maxSteps: 7 });
    for (const text of [
      "one ```javascript code block",
      "plain text with no code block. It ends the task and is shown to the user",
      "async functions: `await` them",
      "console.log",
      "value of the last expression is shown",
      "persist between your code blocks",
      "stack trace: fix the code",
      "Long output is truncated",
      "At most 7 code blocks can run",
      "## Tools",
      "The comment after a field is its description, then its constraints",
      "```typescript\n// Search the web.\ndeclare function web_search(args:{\n query:string // The query\n",
      " limit?:number // default 5\n}): Promise<unknown>\n```",
    ]) {
      expect(prompt).toContain(text);
    }
    expect(prompt).not.toContain("print()");
  });

  it("explains the Python loop with stubs", async () => {
    const prompt = await buildSystemPrompt({ language: "python", tools: [search], maxSteps: 3 });
    for (const text of [
      "one ```python code block",
      "plain functions: call them directly",
      "`print()`",
      "traceback",
      "At most 3 code blocks can run",
      "The comment after a parameter is its description",
      "```python\n# Search the web.\ndef web_search(\n query: str, # The query\n limit: float = 5\n): ...\n```",
    ]) {
      expect(prompt).toContain(text);
    }
    expect(prompt).toContain("(no `await`)");
    expect(prompt).not.toContain("`await` them");
  });

  it("leaves the tools out when there are none", async () => {
    const prompt = await buildSystemPrompt({ language: "javascript", tools: [], maxSteps: 5 });
    expect(prompt).not.toContain("## Tools");
    expect(prompt).not.toContain("async functions");
  });

  it("orders tools, executor description, response format, then the user's prompt", async () => {
    const prompt = await buildSystemPrompt({
      language: "javascript",
      tools: [search],
      maxSteps: 5,
      executorDescription: "No network. 5 s per block.",
      prompt: "Always answer in French.",
      responseFormat: {
        jsonSchema: { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] },
      },
    });
    const positions = [
      "## Tools",
      "## Sandbox\nNo network. 5 s per block.",
      "## Final answer format",
      '```json\n{"type":"object","properties":{"answer":{"type":"string"}},"required":["answer"]}\n```',
      "Always answer in French.",
    ].map((text) => prompt.indexOf(text));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(prompt.endsWith("Always answer in French.")).toBe(true);
  });

  it("has no fenced code of its language besides the tool declarations", async () => {
    // Echoed by a model, the prompt's own fences must not become actions.
    const js = await buildSystemPrompt({ language: "javascript", tools: [search], maxSteps: 5 });
    expect(extractCode(js, "javascript")).toContain("declare function web_search");
    const withoutTools = await buildSystemPrompt({ language: "python", tools: [], maxSteps: 5 });
    expect(extractCode(withoutTools, "python")).toBeNull();
  });

  it("stays small", async () => {
    const sizes: Record<string, number> = {};
    for (const language of ["javascript", "python"] as const) {
      sizes[`${language} 0 tools`] = (await buildSystemPrompt({ language, tools: [], maxSteps: 20 })).length;
      sizes[`${language} 10 tools`] = (await buildSystemPrompt({ language, tools: tenTools(), maxSteps: 20 })).length;
    }
    console.log(`system prompt sizes (chars): ${JSON.stringify(sizes)}`);
    expect(sizes["javascript 0 tools"]).toBeLessThan(1500);
    expect(sizes["python 0 tools"]).toBeLessThan(1500);
    expect(sizes["javascript 10 tools"]).toBeLessThan(5000);
    expect(sizes["python 10 tools"]).toBeLessThan(5000);
  });
});

describe("the prompt's wording", () => {
  it("agrees in number, and does not repeat the sandbox's description in the instructions", async () => {
    const { buildSystemPrompt } = await import("../../src/prompts/index.js");
    const { describeSandbox } = await import("../../src/executors/isolated-vm/options.js");
    const one = await buildSystemPrompt({ language: "javascript", tools: [], maxSteps: 1, executorDescription: describeSandbox(30_000, 128, 20_000) });
    expect(one).toContain("At most 1 code block can run");
    expect(one).not.toMatch(/\b1 code blocks\b/);
    // Each fact once: REPL persistence and console.log are in "How code runs", not again under "## Sandbox".
    const sandbox = one.slice(one.indexOf("## Sandbox"));
    expect(sandbox).not.toMatch(/persist/);
    expect(sandbox).not.toMatch(/last expression/);
    expect(one.match(/persist between/g)).toHaveLength(1);
  });

  it("tells Python models what really happens to figures", async () => {
    const { JupyterExecutor } = await import("../../src/executors/jupyter/index.js");
    const description = new JupyterExecutor({ baseUrl: "http://127.0.0.1:9/" }).description;
    expect(description).toMatch(/one-line note/);
    expect(description).not.toMatch(/returned to you as rich outputs/);
  });
});
