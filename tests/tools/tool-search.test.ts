import { HumanMessage } from "@langchain/core/messages";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { createToolCatalogue } from "../../bench/tool-catalogue.js";
import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import { createCodeActGraph } from "../../src/graph/create-codeact-graph.js";
import { isObservation } from "../../src/graph/messages.js";
import { buildSystemPrompt } from "../../src/prompts/index.js";
import {
  createToolSearchTool,
  TOOL_SEARCH_NAMES,
  usesToolSearch,
  withToolSearch,
} from "../../src/tools/tool-search.js";

const catalogue = createToolCatalogue(120);

describe("createToolSearchTool", () => {
  it("returns the declarations of the best matches, best first", async () => {
    const search = createToolSearchTool(catalogue, { language: "javascript" });
    expect(search.name).toBe("searchTools");
    const found = String(await search.invoke({ query: "weather forecast", limit: 3 }));
    const declared = [...found.matchAll(/declare function (\w+)\(/g)].map((match) => match[1]);
    expect(declared).toHaveLength(3);
    for (const name of declared) expect(name).toContain("weather_forecast");
    expect(found).toContain(" weather_forecast_id:string // Identifier of the weather forecast.\n");
    // Self-contained: the result declares the alias its declarations use.
    expect(found.startsWith("type int = number\n\n")).toBe(true);
  });

  it("finds a tool by a word of its description or a parameter", async () => {
    const search = createToolSearchTool(catalogue, { language: "javascript" });
    const found = String(await search.invoke({ query: "delete invoice", limit: 1 }));
    expect(found).toMatch(/declare function delete_invoice\(/);
  });

  it("renders Python stubs for Python", async () => {
    const search = createToolSearchTool(catalogue, { language: "python" });
    expect(search.name).toBe("search_tools");
    const found = String(await search.invoke({ query: "list customers", limit: 2 }));
    expect(found).toMatch(/def list_customer\(/);
    expect(found).toContain("from typing import");
  });

  it("lists the tool names when nothing matches", async () => {
    const search = createToolSearchTool(catalogue.slice(0, 3), { language: "javascript" });
    const found = String(await search.invoke({ query: "zzqqxx" }));
    expect(found).toContain("No tool matches");
    expect(found).toContain(catalogue[0]!.name);
  });

  it("applies only above the threshold", () => {
    expect(usesToolSearch(10, undefined)).toBe(false);
    expect(usesToolSearch(10, 10)).toBe(false);
    expect(usesToolSearch(11, 10)).toBe(true);
    expect(withToolSearch(catalogue, "javascript", 200)).toHaveLength(catalogue.length);
    const lazy = withToolSearch(catalogue, "javascript", 50);
    expect(lazy.at(-1)?.name).toBe(TOOL_SEARCH_NAMES.javascript);
  });
});

describe("lazy tool discovery in the prompt", () => {
  it("declares only the search function and lists the names", async () => {
    const prompt = await buildSystemPrompt({
      language: "javascript",
      tools: catalogue,
      maxSteps: 5,
      toolDiscovery: "search",
    });
    expect(prompt).toContain("declare function searchTools(");
    expect(prompt).not.toContain("declare function get_invoice(");
    expect(prompt).toContain("get_invoice, list_invoice");
    const full = await buildSystemPrompt({ language: "javascript", tools: catalogue, maxSteps: 5 });
    expect(full).toContain("declare function get_invoice(");
    expect(prompt.length).toBeLessThan(full.length / 4);
  });

  it("lets the model's code search, then call the tool it found (real isolated-vm)", async () => {
    const executor = new IsolatedVmExecutor({ timeoutMs: 10_000 });
    try {
      const model = new FakeListChatModel({
        responses: [
          "```javascript\nconsole.log(await searchTools(\"shipment\", { limit: 2 }))\n```",
          "```javascript\nconst found = await get_shipment({ shipment_id: \"S-1\" });\nfound.tool\n```",
          "Found it.",
        ],
      });
      const app = createCodeActGraph({ model, tools: catalogue, executor, lazyToolsThreshold: 50 }).compile();
      const { messages } = await app.invoke(
        { messages: [new HumanMessage("Get shipment S-1")] },
        { recursionLimit: 20 }
      );
      const texts = messages.filter((message) => isObservation(message)).map((message) => String(message.content));
      expect(texts).toHaveLength(2);
      expect(texts[0]).toContain("declare function get_shipment(");
      expect(texts[1]).toContain("get_shipment");
      expect(texts[1]).not.toMatch(/Error/);
    } finally {
      await executor.close();
    }
  });

  it("rejects a tool that takes the search function's name", () => {
    const model = new FakeListChatModel({ responses: ["done"] });
    const [first] = createToolCatalogue(1);
    const clash = Object.assign(Object.create(Object.getPrototypeOf(first)), first, { name: "searchTools" });
    expect(() =>
      createCodeActGraph({ model, tools: [...catalogue, clash], lazyToolsThreshold: 10 })
    ).toThrow(/searchTools/);
  });
});
