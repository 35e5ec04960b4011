/**
 * The fast path of tool calls from code (src/tools/direct-call.ts): when
 * nothing listens, a plain `tool()` runs through its own function, and
 * everything the code can observe is what `tool.invoke` gives; when
 * something listens, or the tool is not a plain one, `invoke` runs.
 */
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { RunnableConfig } from "@langchain/core/runnables";
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";
import { DynamicStructuredTool, tool, type StructuredToolInterface } from "@langchain/core/tools";
import { z } from "zod";
import { createToolFunctions } from "../../src/tools/tool-functions.js";

class Recorder extends BaseCallbackHandler {
  name = "recorder";
  readonly starts: string[] = [];
  override handleToolStart(_tool: unknown, input: string): void {
    this.starts.push(input);
  }
}

/** Calls `name` with `input` through the host functions, with or without a listener; says whether invoke ran. */
async function callVia(target: StructuredToolInterface, input: unknown, listening: boolean, config: RunnableConfig = {}, stubInvoke = false) {
  const recorder = new Recorder();
  // On the prototype: an own spy on the tool would itself make it "a tool whose invoke is overridden".
  const invoke = jest.spyOn(DynamicStructuredTool.prototype, "invoke");
  if (stubInvoke) invoke.mockResolvedValue("stubbed" as never);
  const functions = createToolFunctions([target], { language: "javascript", config: { ...config, ...(listening && { callbacks: [recorder] }) } });
  const fn = Object.values(functions)[0]!;
  let outcome: { value?: unknown; error?: string };
  try {
    outcome = { value: await fn(input) };
  } catch (error) {
    outcome = { error: (error as Error).message };
  }
  const invoked = invoke.mock.calls.length > 0;
  invoke.mockRestore();
  return { ...outcome, invoked, events: recorder.starts.length };
}

const lookup = tool(async ({ id, verbose }: { id: number; verbose: boolean }) => ({ id, verbose }), {
  name: "lookup",
  description: "Looks up.",
  schema: z.object({ id: z.number().int(), verbose: z.boolean().default(false) }),
});

describe("tool calls from code when nothing listens", () => {
  it("skip invoke for a plain tool, with the same value (defaults applied) as invoke gives", async () => {
    const fast = await callVia(lookup, { id: 3 }, false);
    const slow = await callVia(lookup, { id: 3 }, true);
    expect(fast).toMatchObject({ value: { id: 3, verbose: false }, invoked: false, events: 0 });
    expect(slow).toMatchObject({ value: { id: 3, verbose: false }, invoked: true, events: 1 });
  });

  it("give the same errors: invalid input (through invoke, so the message is LangChain's) and a throwing tool", async () => {
    const invalid = [await callVia(lookup, { id: "x" }, false), await callVia(lookup, { id: "x" }, true)];
    expect(invalid[0]?.error).toBe(invalid[1]?.error);
    expect(invalid[0]?.error).toMatch(/lookup: invalid arguments: id: expected number/);
    const failing = tool(async () => {
      throw new Error("backend down");
    }, { name: "failing", description: "Fails.", schema: z.object({}) });
    const errors = [await callVia(failing, {}, false), await callVia(failing, {}, true)];
    expect(errors[0]).toMatchObject({ error: "failing: backend down", invoked: false });
    expect(errors[1]).toMatchObject({ error: "failing: backend down", invoked: true });
  });

  it("give the tool its config: configurable values, and the config in async context", async () => {
    const seen: unknown[] = [];
    const reader = tool(
      async (_input: Record<string, never>, config) => {
        seen.push(config.configurable?.["thread_id"], AsyncLocalStorageProviderSingleton.getRunnableConfig()?.configurable?.["thread_id"]);
        return "ok";
      },
      { name: "reader", description: "Reads config.", schema: z.object({}) }
    );
    await callVia(reader, {}, false, { configurable: { thread_id: "t-1" } });
    await callVia(reader, {}, true, { configurable: { thread_id: "t-1" } });
    expect(seen[0]).toBe("t-1");
    // Whatever the async context holds, the tool sees the same on both paths.
    expect(seen.slice(0, 2)).toEqual(seen.slice(2));
  });

  it("stop at an aborted signal as invoke does", async () => {
    const controller = new AbortController();
    controller.abort();
    const slowTool = tool(async () => "never", { name: "slow", description: "Slow.", schema: z.object({}) });
    const [fast, slow] = [await callVia(slowTool, {}, false, { signal: controller.signal }), await callVia(slowTool, {}, true, { signal: controller.signal })];
    expect(fast.error).toBeDefined();
    expect(fast.error).toBe(slow.error);
  });

  it("keep invoke for what could differ: content_and_artifact, an overridden invoke, a streaming tool's value", async () => {
    const artifact = tool(async () => ["text", { raw: 1 }], { name: "artifact", description: "A.", schema: z.object({}), responseFormat: "content_and_artifact" });
    expect(await callVia(artifact, {}, false)).toMatchObject({ value: { content: "text", artifact: { raw: 1 } }, invoked: true });
    class Custom extends DynamicStructuredTool {
      override async invoke(input: unknown, config?: RunnableConfig) {
        return `custom ${JSON.stringify(await super.invoke(input as never, config))}`;
      }
    }
    const custom = new Custom({ name: "custom", description: "C.", schema: z.object({}), func: async () => "inner" });
    expect(await callVia(custom, {}, false)).toMatchObject({ value: 'custom "inner"', invoked: true });
    const streaming = tool(async function* () {
      yield "chunk";
      return "final";
    }, { name: "streaming", description: "S.", schema: z.object({}) });
    const [fast, slow] = [await callVia(streaming, {}, false), await callVia(streaming, {}, true)];
    expect(fast.value).toEqual(slow.value);
  });

  it("keep invoke when the environment turns tracing on", async () => {
    process.env["LANGSMITH_TRACING"] = "true";
    try {
      // invoke is stubbed: nothing is sent anywhere, the test only sees which path was taken.
      expect(await callVia(lookup, { id: 1 }, false, {}, true)).toMatchObject({ invoked: true, value: "stubbed" });
    } finally {
      delete process.env["LANGSMITH_TRACING"];
    }
  });
});
