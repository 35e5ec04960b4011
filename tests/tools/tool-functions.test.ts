import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { Serialized } from "@langchain/core/load/serializable";
import { ToolMessage } from "@langchain/core/messages";
import { RunnableLambda, type RunnableConfig } from "@langchain/core/runnables";
import type { ChainValues } from "@langchain/core/utils/types";
import { tool } from "@langchain/core/tools";
import { z } from "zod";
import { z as z3 } from "zod/v3";
import {
  createToolFunctions,
  toolSchemaToJsonSchema,
} from "../../src/tools/tool-functions.js";

const searchCalls: unknown[] = [];
const search = tool(
  async (input) => {
    searchCalls.push(input);
    return { hits: [`${input.query} #1`], limit: input.limit };
  },
  {
    name: "web-search",
    description: "Search the web.",
    schema: z.object({
      limit: z.number().int().default(10).describe("Max results"),
      query: z.string().describe("The query"),
      filters: z
        .object({ year: z.number().int(), tags: z.array(z.string()).optional() })
        .optional(),
    }),
  }
);

const v3Tool = tool(async ({ a, b }) => `${a}:${b ?? "none"}`, {
  name: "concat",
  description: "Join.",
  schema: z3.object({ a: z3.string(), b: z3.number().optional() }),
});

const jsonTool = tool(async (input) => `json ${JSON.stringify(input)}`, {
  name: "lookup",
  description: "Look up a record.",
  schema: {
    type: "object",
    properties: {
      id: { type: "string", description: "Record id" },
      mode: { type: "string", enum: ["fast", "full"] },
      options: {
        type: "object",
        properties: { depth: { type: "integer", minimum: 0 } },
        required: ["depth"],
      },
    },
    required: ["id"],
    additionalProperties: false,
  },
});

const failing = tool(
  async () => {
    throw new Error("quota exceeded");
  },
  { name: "delete", description: "Fails.", schema: z.object({}) }
);

describe("toolSchemaToJsonSchema", () => {
  it("converts zod 4, treats defaults as optional and drops safe-integer noise", () => {
    const schema = toolSchemaToJsonSchema(search);
    expect(schema.$schema).toBeUndefined();
    expect(schema.required).toEqual(["query"]);
    expect(schema.properties).toMatchObject({
      limit: { type: "integer", default: 10, description: "Max results" },
    });
    expect(JSON.stringify(schema)).not.toContain(String(Number.MAX_SAFE_INTEGER));
  });

  it("converts zod 3 and passes JSON schema through", () => {
    expect(toolSchemaToJsonSchema(v3Tool)).toMatchObject({
      type: "object",
      properties: { a: { type: "string" }, b: { type: "number" } },
      required: ["a"],
    });
    expect(toolSchemaToJsonSchema(jsonTool).required).toEqual(["id"]);
  });
});

describe("createToolFunctions", () => {
  const functions = createToolFunctions([search, v3Tool, jsonTool, failing], {
    language: "javascript",
  });

  it("keys functions by sanitized name and lists parameters required-first", () => {
    expect(Object.keys(functions)).toEqual(["web_search", "concat", "lookup", "delete_"]);
    expect(functions.web_search?.parameters).toEqual(["query", "limit", "filters"]);
    expect(functions.lookup?.parameters).toEqual(["id", "mode", "options"]);
  });

  it("calls the tool with an input object and returns objects as objects", async () => {
    const result = await functions.web_search!({ query: "cats", limit: 2 });
    expect(result).toEqual({ hits: ["cats #1"], limit: 2 });
    expect(searchCalls.at(-1)).toEqual({ query: "cats", limit: 2 });
  });

  it("applies schema defaults (the tool's own parsing runs)", async () => {
    expect(await functions.web_search!({ query: "dogs" })).toEqual({
      hits: ["dogs #1"],
      limit: 10,
    });
  });

  it("maps positional values onto parameters, with a trailing keyword object", async () => {
    expect(await functions.web_search!("x", 3)).toEqual({ hits: ["x #1"], limit: 3 });
    expect(await functions.web_search!("y", { limit: 4 })).toEqual({ hits: ["y #1"], limit: 4 });
    expect(await functions.concat!("a", 2)).toBe("a:2");
    expect(await functions.lookup!("r1")).toBe('json {"id":"r1"}');
  });

  it("passes an object as the value of an object-typed first parameter", async () => {
    const configure = tool(async ({ settings }) => settings, {
      name: "configure",
      description: "d",
      schema: z.object({ settings: z.object({ depth: z.number() }) }),
    });
    const { configure: fn } = createToolFunctions([configure], { language: "javascript" });
    expect(await fn!({ depth: 2 })).toEqual({ depth: 2 });
    expect(await fn!({ settings: { depth: 3 } })).toEqual({ depth: 3 });
  });

  it("rejects too many positional values", async () => {
    await expect(functions.concat!("a", 1, 2)).rejects.toThrow(
      "concat: takes at most 2 positional argument(s) (a, b), got 3; pass one object instead"
    );
  });

  it("explains zod 4 validation failures field by field", async () => {
    await expect(
      functions.web_search!({ query: 42, filters: { year: "2020" } })
    ).rejects.toThrow(
      "web_search: invalid arguments: query: expected string, received number; " +
        "filters.year: expected number, received string"
    );
    await expect(functions.web_search!({ limit: 1 })).rejects.toThrow(
      "web_search: invalid arguments: query: missing (expected string)"
    );
  });

  it("explains zod 3 validation failures", async () => {
    await expect(functions.concat!({ a: 1 })).rejects.toThrow(
      "concat: invalid arguments: a: expected string, received number"
    );
  });

  it("explains JSON schema validation failures", async () => {
    await expect(
      functions.lookup!({ id: 7, mode: "slow", options: {}, extra: true })
    ).rejects.toThrow(
      'lookup: invalid arguments: id: expected string, received number; ' +
        'mode: expected ["fast","full"], received "slow"; options.depth: missing (required); ' +
        "extra: unexpected field"
    );
    await expect(functions.lookup!({ id: "x", options: { depth: -1 } })).rejects.toThrow(
      "lookup: invalid arguments: options.depth: -1 is less than 0"
    );
  });

  it("rethrows tool errors prefixed with the tool's identifier", async () => {
    const error: unknown = await functions.delete_!({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe("delete_: quota exceeded");
    expect(((error as Error).cause as Error).message).toBe("quota exceeded");
  });

  it("uses Python-valid parameter names for python", () => {
    const odd = tool(async () => "ok", {
      name: "odd",
      description: "d",
      schema: { type: "object", properties: { from: { type: "string" }, to: { type: "string" } }, required: ["from", "to"] },
    });
    const { odd: fn } = createToolFunctions([odd], { language: "python" });
    expect(fn?.parameters).toEqual(["to"]);
  });

  it("unwraps ToolMessage results and returns content and artifact together", async () => {
    const withArtifact = tool(async ({ n }) => [`${n} rows`, { rows: [1, 2] }], {
      name: "rows",
      description: "d",
      schema: z.object({ n: z.number() }),
      responseFormat: "content_and_artifact",
    });
    const message = tool(
      async () => new ToolMessage({ content: [{ type: "text", text: "a" }, { type: "text", text: "b" }], tool_call_id: "1" }),
      { name: "message", description: "d", schema: z.object({}) }
    );
    const erroring = tool(
      async () => new ToolMessage({ content: "bad input", tool_call_id: "1", status: "error" }),
      { name: "erroring", description: "d", schema: z.object({}) }
    );
    const fns = createToolFunctions([withArtifact, message, erroring], { language: "javascript" });
    expect(await fns.rows!({ n: 2 })).toEqual({ content: "2 rows", artifact: { rows: [1, 2] } });
    expect(await fns.message!({})).toBe("ab");
    await expect(fns.erroring!({})).rejects.toThrow("erroring: bad input");
  });

  it("passes a string to a string-input tool", async () => {
    const echo = tool(async (text: string) => `echo ${text}`, {
      name: "echo",
      description: "d",
      schema: z.string(),
    });
    const { echo: fn } = createToolFunctions([echo], { language: "javascript" });
    expect(await fn!("hi")).toBe("echo hi");
  });

  it("runs tools under the caller's config so their runs nest", async () => {
    const chains: string[] = [];
    const tools: { runId: string; parentRunId?: string }[] = [];
    class Recorder extends BaseCallbackHandler {
      name = "recorder";
      override handleChainStart(
        _chain: Serialized, _inputs: ChainValues, runId: string
      ): void {
        chains.push(runId);
      }
      override handleToolStart(
        _tool: Serialized, _input: string, runId: string, parentRunId?: string
      ): void {
        tools.push({ runId, parentRunId });
      }
    }
    const callerRunId = "00000000-0000-4000-8000-000000000001";
    const outer = RunnableLambda.from(async (_input: unknown, config: RunnableConfig) => {
      // A caller's runId must not be reused for the tool's run.
      const fns = createToolFunctions([v3Tool], {
        language: "javascript",
        config: { ...config, runId: callerRunId },
      });
      return fns.concat!({ a: "x" });
    });
    expect(await outer.invoke(null, { callbacks: [new Recorder()] })).toBe("x:none");
    expect(chains).toHaveLength(1);
    expect(tools).toHaveLength(1);
    expect(tools[0]?.parentRunId).toBe(chains[0]);
    expect(tools[0]?.runId).not.toBe(callerRunId);
  });
});
