/**
 * The structured result of a cell kept in the observation's details
 * (`additional_kwargs.codeact_observation`): caps, tool calls recorded by the
 * execute node (real isolated-vm sandbox), the custom stream events, and
 * that none of it reaches a provider.
 */
import { HumanMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { z } from "zod";
import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import type { ExecuteResult } from "../../src/executors/types.js";
import { RICH_OUTPUT_STREAM_TYPE, TOOL_CALL_STREAM_TYPE } from "../../src/graph/constants.js";
import { createCodeActGraph } from "../../src/graph/create-codeact-graph.js";
import {
  detailsRichOutputs,
  executionDetails,
  isObservation,
  MAX_DETAILS_CELL_RICH_CHARS,
  MAX_DETAILS_IMAGE_BASE64_CHARS,
  MAX_DETAILS_OUTPUT_CHARS,
  MAX_DETAILS_RICH_TEXT_CHARS,
  MAX_DETAILS_TOOL_CALLS,
  MAX_DETAILS_TOOL_JSON_CHARS,
  observationDetails,
  toolCallJson,
} from "../../src/graph/messages.js";
import type { RichOutputStreamChunk, ToolCallStreamChunk } from "../../src/graph/nodes/execute.js";
import { FakeExecutor } from "../../src/testing/index.js";
import { addTool, js, textOf } from "./helpers.js";

jest.setTimeout(60_000);

const result = (partial: Partial<ExecuteResult>): ExecuteResult => ({ output: "", outputs: [], durationMs: 1, ...partial });

/** Base64 text of `bytes` bytes (the content does not matter to the caps). */
const base64Of = (bytes: number): string => Buffer.alloc(bytes, 7).toString("base64");

describe("executionDetails", () => {
  it("keeps output, value, error with traceback, duration and small rich outputs whole", () => {
    const png = base64Of(3_000);
    const details = executionDetails(
      result({
        output: "a\n",
        value: "42",
        truncated: true,
        durationMs: 12.5,
        error: { name: "ValueError", message: "bad", traceback: "Traceback...\nValueError: bad" },
        outputs: [
          { mimeType: "image/png", data: png, text: "<Figure size 640x480 with 1 Axes>" },
          { mimeType: "text/html", data: "<b>é</b>" },
        ],
      })
    );
    expect(details).toEqual({
      kind: "execution",
      error: { name: "ValueError", message: "bad", traceback: "Traceback...\nValueError: bad" },
      output: "a\n",
      value: "42",
      truncated: true,
      durationMs: 12.5,
      outputs: [
        { mimeType: "image/png", data: png, bytes: 3_000, text: "<Figure size 640x480 with 1 Axes>" },
        { mimeType: "text/html", data: "<b>é</b>", bytes: Buffer.byteLength("<b>é</b>") },
      ],
      toolCalls: [],
    });
  });

  it("omits an image or a text output over its cap, keeping its size", () => {
    const bigImageBytes = Math.ceil((MAX_DETAILS_IMAGE_BASE64_CHARS * 3) / 4) + 3;
    const bigHtml = "x".repeat(MAX_DETAILS_RICH_TEXT_CHARS + 1);
    const exactHtml = "y".repeat(MAX_DETAILS_RICH_TEXT_CHARS);
    const outputs = detailsRichOutputs([
      { mimeType: "image/png", data: base64Of(bigImageBytes), text: "<Figure>" },
      { mimeType: "text/html", data: bigHtml },
      { mimeType: "image/svg+xml", data: exactHtml },
    ]);
    expect(outputs[0]).toEqual({ mimeType: "image/png", omitted: true, bytes: bigImageBytes, text: "<Figure>" });
    expect(outputs[1]).toEqual({ mimeType: "text/html", omitted: true, bytes: bigHtml.length });
    expect(outputs[2]).toEqual({ mimeType: "image/svg+xml", data: exactHtml, bytes: exactHtml.length });
  });

  it("keeps rich outputs in order until the cell's budget is spent", () => {
    const imageChars = MAX_DETAILS_IMAGE_BASE64_CHARS - 4;
    const image = { mimeType: "image/jpeg", data: "A".repeat(imageChars) };
    const fit = Math.floor(MAX_DETAILS_CELL_RICH_CHARS / imageChars);
    const outputs = detailsRichOutputs([...Array.from({ length: fit + 1 }, () => image), { mimeType: "text/plain+small", data: "ok" }]);
    expect(outputs.slice(0, fit).every((output) => output.data === image.data)).toBe(true);
    expect(outputs[fit]).toMatchObject({ mimeType: "image/jpeg", omitted: true });
    // A small output after an omitted one still fits the remaining budget.
    expect(outputs[fit + 1]).toMatchObject({ data: "ok" });
    const kept = outputs.reduce((total, output) => total + (output.data?.length ?? 0), 0);
    expect(kept).toBeLessThanOrEqual(MAX_DETAILS_CELL_RICH_CHARS);
  });

  it("clips output past its cap and says so", () => {
    const details = executionDetails(result({ output: "z".repeat(MAX_DETAILS_OUTPUT_CHARS + 10) }));
    expect(details.truncated).toBe(true);
    expect(details.output?.startsWith("z".repeat(MAX_DETAILS_OUTPUT_CHARS / 2 - 50))).toBe(true);
    expect(details.output?.length).toBeLessThanOrEqual(MAX_DETAILS_OUTPUT_CHARS);
    expect(details.output).toMatch(/\n\.\.\. \[\d+ characters truncated\] \.\.\.\n/);
  });

  it("clips tool-call JSON and survives values JSON cannot encode", () => {
    expect(toolCallJson({ a: 1 })).toBe('{"a":1}');
    expect(toolCallJson(undefined)).toBeUndefined();
    expect(toolCallJson(10n)).toBe('"10"');
    const long = toolCallJson({ text: "q".repeat(MAX_DETAILS_TOOL_JSON_CHARS) });
    expect(long?.startsWith('{"text":"qqq')).toBe(true);
    expect(long?.endsWith('qqq"}')).toBe(true);
    expect(long?.length).toBeLessThanOrEqual(MAX_DETAILS_TOOL_JSON_CHARS);
    expect(long).toMatch(/\.\.\. \[\d+ characters truncated\] \.\.\./);
  });
});

describe("the execute node records tool calls made inside a cell", () => {
  const fail = tool(
    async ({ why }: { why: string }): Promise<string> => {
      throw new Error(`refused: ${why}`);
    },
    { name: "fail", description: "Always fails.", schema: z.object({ why: z.string() }) }
  );
  let executor: IsolatedVmExecutor;
  beforeAll(() => {
    executor = new IsolatedVmExecutor({ isolation: "in-process" });
  });
  afterAll(async () => {
    await executor.close();
  });

  it("with arguments, results, errors and durations, in the details and on the custom stream", async () => {
    const code = [
      "const sum = await add({ a: 1, b: 2 });",
      "let caught = '';",
      "try { await fail({ why: 'no' }); } catch (error) { caught = error.message; }",
      "try { await add({ a: 'x', b: 1 }); } catch (error) { caught += ' / ' + error.message; }",
      "console.log(caught);",
      "sum",
    ].join("\n");
    const app = createCodeActGraph({
      model: new FakeListChatModel({ responses: [js(code), "Done."] }),
      executor,
      tools: [addTool, fail],
    }).compile();
    const custom: unknown[] = [];
    let messages: HumanMessage[] = [];
    for await (const [mode, chunk] of await app.stream(
      { messages: [new HumanMessage("go")] },
      { streamMode: ["custom", "values"], recursionLimit: 10, configurable: { thread_id: "details-tools" } }
    )) {
      if (mode === "custom") custom.push(chunk);
      else messages = (chunk as { messages: HumanMessage[] }).messages;
    }
    const observation = messages.find((message) => isObservation(message));
    expect(textOf(observation)).toContain("Value: 3");
    const details = observationDetails(observation);
    expect(details?.value).toBe("3");
    expect(details?.output).toContain("fail: refused: no");
    expect(details?.durationMs).toBeGreaterThan(0);
    expect(details?.toolCalls).toEqual([
      { name: "add", args: '{"a":1,"b":2}', result: "3", durationMs: expect.any(Number) },
      { name: "fail", args: '{"why":"no"}', error: "fail: refused: no", durationMs: expect.any(Number) },
      {
        name: "add",
        args: '{"a":"x","b":1}',
        error: expect.stringMatching(/^add: invalid arguments: a: expected number/),
        durationMs: expect.any(Number),
      },
    ]);
    expect(details?.toolCallsOmitted).toBeUndefined();

    const toolEvents = custom.filter(
      (chunk): chunk is ToolCallStreamChunk => (chunk as { type?: unknown }).type === TOOL_CALL_STREAM_TYPE
    );
    expect(toolEvents.map((event) => `${event.phase}:${event.index}:${event.name}`)).toEqual([
      "start:0:add",
      "end:0:add",
      "start:1:fail",
      "end:1:fail",
      "start:2:add",
      "end:2:add",
    ]);
    expect(toolEvents[0]).toEqual({ type: "codeact_tool_call", phase: "start", index: 0, name: "add", args: '{"a":1,"b":2}' });
    expect(toolEvents[1]).toMatchObject({ phase: "end", result: "3" });
    expect(toolEvents[3]).toMatchObject({ phase: "end", error: "fail: refused: no" });
  });

  it(`keeps the first ${MAX_DETAILS_TOOL_CALLS} calls and counts the rest`, async () => {
    const total = MAX_DETAILS_TOOL_CALLS + 25;
    const code = `let s = 0;\nfor (let i = 0; i < ${total}; i++) s = await add({ a: s, b: 1 });\ns`;
    const app = createCodeActGraph({
      model: new FakeListChatModel({ responses: [js(code), "Done."] }),
      executor,
      tools: [addTool],
    }).compile();
    const state = await app.invoke({ messages: [new HumanMessage("go")] }, { recursionLimit: 10, configurable: { thread_id: "details-many" } });
    const details = observationDetails(state.messages.find((message) => isObservation(message)));
    expect(details?.value).toBe(String(total));
    expect(details?.toolCalls).toHaveLength(MAX_DETAILS_TOOL_CALLS);
    expect(details?.toolCalls?.at(-1)).toMatchObject({ args: `{"a":${MAX_DETAILS_TOOL_CALLS - 1},"b":1}`, result: String(MAX_DETAILS_TOOL_CALLS) });
    expect(details?.toolCallsOmitted).toBe(25);
  });

  it("marks a call the cell did not wait for", async () => {
    const slow = tool(async () => new Promise<string>((done) => setTimeout(() => done("late"), 300)), {
      name: "slow",
      description: "Answers late.",
      schema: z.object({}),
    });
    const app = createCodeActGraph({
      model: new FakeListChatModel({ responses: [js("slow({}); 1"), "Done."] }),
      executor,
      tools: [slow],
    }).compile();
    const state = await app.invoke({ messages: [new HumanMessage("go")] }, { recursionLimit: 10, configurable: { thread_id: "details-slow" } });
    const details = observationDetails(state.messages.find((message) => isObservation(message)));
    expect(details?.toolCalls).toEqual([{ name: "slow", args: "{}", error: "still running when the cell ended", durationMs: 0 }]);
  });
});

describe("rich outputs on the custom stream", () => {
  it("are sent, capped like the details, when the cell ends", async () => {
    const png = base64Of(100);
    const huge = "h".repeat(MAX_DETAILS_RICH_TEXT_CHARS + 1);
    const app = createCodeActGraph({
      model: new FakeListChatModel({ responses: [js("plot()"), "Done."] }),
      executor: new FakeExecutor({
        results: [{ outputs: [{ mimeType: "image/png", data: png }, { mimeType: "text/html", data: huge }] }],
      }),
    }).compile();
    const events: RichOutputStreamChunk[] = [];
    for await (const chunk of await app.stream({ messages: [new HumanMessage("go")] }, { streamMode: "custom", recursionLimit: 10 })) {
      if ((chunk as { type?: unknown }).type === RICH_OUTPUT_STREAM_TYPE) events.push(chunk as RichOutputStreamChunk);
    }
    expect(events).toEqual([
      { type: "codeact_rich_output", index: 0, output: { mimeType: "image/png", data: png, bytes: 100 } },
      { type: "codeact_rich_output", index: 1, output: { mimeType: "text/html", omitted: true, bytes: huge.length } },
    ]);
  });
});
