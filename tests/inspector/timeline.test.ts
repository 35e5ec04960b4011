/**
 * Unit tests of the inspector's pure logic (studio/inspector/src/lib): reading
 * observations back, the per-run timeline, the live stream reducer and the
 * graph model. Inputs have the shapes the LangGraph API returned for the
 * repository's graphs (see inspector.e2e.test.ts for the real thing).
 */
import { AIMessage } from "@langchain/core/messages";
import {
  createObservation,
  executionDetails,
  formatExecutionResult,
  rejectionObservation,
  type RecordedToolCalls,
} from "../../src/graph/messages.js";
import type { ExecuteResult } from "../../src/executors/types.js";
import { buildGraphModel, isActive, subgraphIds } from "../../studio/inspector/src/lib/graph-model.js";
import {
  applyStreamPart,
  createLiveRun,
  finishLiveRun,
  nodeIdOfNamespace,
  type LiveRun,
  type StreamPart,
} from "../../studio/inspector/src/lib/live.js";
import {
  isRenderableMarkup,
  parseObservation,
  readObservation,
  splitSections,
} from "../../studio/inspector/src/lib/observation.js";
import { buildTimelines, detectLanguage, type ApiMessage, type HistoryEntry } from "../../studio/inspector/src/lib/timeline.js";

const PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

function result(partial: Partial<ExecuteResult>): ExecuteResult {
  return { output: "", outputs: [], durationMs: 1, ...partial } as ExecuteResult;
}

/** An observation as the execute node writes it, serialised as the API returns it. */
function observation(id: string, executed: ExecuteResult, editedCode?: string): ApiMessage {
  const text = formatExecutionResult(executed, editedCode ? { editedCode, fenceTag: "javascript" } : {});
  const message = createObservation(text, {
    kind: "execution",
    ...(executed.error && { error: { name: executed.error.name, message: executed.error.message } }),
  });
  return { type: "human", id, content: message.content, additional_kwargs: message.additional_kwargs };
}

/** An observation with the structured details the execute node writes now. */
function structuredObservation(id: string, executed: ExecuteResult, toolCalls?: RecordedToolCalls): ApiMessage {
  const message = createObservation(formatExecutionResult(executed), executionDetails(executed, toolCalls));
  // Through JSON, as the API returns it.
  return JSON.parse(
    JSON.stringify({ type: "human", id, content: message.content, additional_kwargs: message.additional_kwargs })
  ) as ApiMessage;
}

describe("readObservation (structured details)", () => {
  it("shows displayed images and HTML, the error and the tool calls from the details", () => {
    const message = structuredObservation(
      "o9",
      result({
        output: "done\n",
        value: "'Tokyo'",
        durationMs: 40,
        outputs: [
          { mimeType: "image/png", data: "iVBORw0KGgo=", text: "<Figure size 400x300 with 1 Axes>" },
          { mimeType: "text/html", data: "<table><tr><td>Tokyo</td></tr></table>", text: "<IPython.core.display.HTML object>" },
          { mimeType: "image/png", data: "A".repeat(2_000_000) },
        ],
        error: { name: "TypeError", message: "boom", traceback: "TypeError: boom\n    at cell:1:1" },
      }),
      { calls: [{ name: "get_weather", args: '{"city":"Tokyo"}', result: '{"temperatureC":24}', durationMs: 3 }], omitted: 2 }
    );
    const parsed = readObservation(message.content, message.additional_kwargs?.["codeact_observation"]);
    expect(parsed.output).toBe("done\n");
    expect(parsed.value).toBe("'Tokyo'");
    expect(parsed.images).toEqual(["data:image/png;base64,iVBORw0KGgo="]);
    expect(parsed.displayed).toEqual([{ mimeType: "text/html", text: "<table><tr><td>Tokyo</td></tr></table>" }]);
    expect(isRenderableMarkup(parsed.displayed[0]!)).toBe(true);
    expect(parsed.imageNotes).toEqual(["image/png displayed (1.4 MB, over the size kept in the thread)"]);
    expect(parsed.error).toEqual({ name: "TypeError", message: "boom", traceback: "    at cell:1:1" });
    expect(parsed.toolCalls).toEqual([{ name: "get_weather", args: { city: "Tokyo" }, result: { temperatureC: 24 }, durationMs: 3 }]);
    expect(parsed.toolCallsOmitted).toBe(2);
    expect(parsed.durationMs).toBe(40);
  });

  it("falls back to the text for observations of older threads", () => {
    const old = observation("o8", result({ output: "18\n", value: "1" }));
    const parsed = readObservation(old.content, old.additional_kwargs?.["codeact_observation"]);
    expect(parsed).toEqual(parseObservation(old.content));
    expect(parsed.toolCalls).toBeUndefined();
  });

  it("gives a reloaded page the cell's tool calls from history, without the stream", () => {
    const user: ApiMessage = { type: "human", id: "u1", content: "Weather?" };
    const reply: ApiMessage = { type: "ai", id: "a1", content: "```javascript\nawait get_weather({ city: 'Paris' })\n```" };
    const observed = structuredObservation("o1", result({ value: "18" }), {
      calls: [{ name: "get_weather", args: '{"city":"Paris"}', error: "get_weather: down", durationMs: 1 }],
      omitted: 0,
    });
    const [run] = buildTimelines({
      history: [{ values: { messages: [user, reply, observed] }, metadata: { run_id: "r1" } }],
      runs: [],
      live: new Map(),
    });
    const cell = run?.items.find((item) => item.kind === "cell");
    expect(cell?.kind === "cell" && cell.toolCalls).toEqual([
      { name: "get_weather", args: { city: "Paris" }, error: "get_weather: down", durationMs: 1, running: false },
    ]);
  });
});

describe("parseObservation", () => {
  it("reads output, value, displayed HTML, image notes and the error with its traceback", () => {
    const text = formatExecutionResult(
      result({
        output: `line one\n\nValue-like line\n${PNG}\n`,
        value: "42",
        outputs: [
          { mimeType: "text/html", data: "<b>bold</b>" },
          { mimeType: "image/png", data: "AAAA" },
        ],
        error: { name: "TypeError", message: "x is not a function", traceback: "TypeError: x is not a function\n    at cell:3:1" },
      })
    );
    const parsed = parseObservation(text);
    expect(parsed.output).toBe("line one\n\nValue-like line\n[image 1]");
    expect(parsed.images).toEqual([PNG]);
    expect(parsed.value).toBe("42");
    expect(parsed.displayed).toEqual([{ mimeType: "text/html", text: "<b>bold</b>" }]);
    expect(parsed.imageNotes).toEqual(["image/png displayed"]);
    expect(parsed.error).toEqual({ name: "TypeError", message: "x is not a function", traceback: "    at cell:3:1" });
  });

  it("reads edited code, truncation and image content blocks", () => {
    const text = formatExecutionResult(result({ output: "ok", truncated: true }), {
      editedCode: "console.log('ok')",
      fenceTag: "javascript",
    });
    const parsed = parseObservation([
      { type: "text", text },
      { type: "image_url", image_url: { url: PNG } },
    ]);
    expect(parsed.editedCode).toBe("console.log('ok')");
    expect(parsed.truncated).toBe(true);
    expect(parsed.output).toBe("ok");
    expect(parsed.images).toEqual([PNG]);
  });

  it("splits only at known section headers", () => {
    expect(splitSections("Output:\na\n\nb\n\nValue: 1")).toEqual(["Output:\na\n\nb", "Value: 1"]);
  });

  it("renders markup but not a Python repr standing in for it", () => {
    expect(isRenderableMarkup({ mimeType: "text/html", text: "<table></table>" })).toBe(true);
    expect(isRenderableMarkup({ mimeType: "text/html", text: "<IPython.core.display.HTML object>" })).toBe(false);
    expect(isRenderableMarkup({ mimeType: "application/json", text: "<a>" })).toBe(false);
  });
});

describe("buildTimelines", () => {
  const user: ApiMessage = { type: "human", id: "u1", content: "Weather in Paris?" };
  const reply: ApiMessage = {
    type: "ai",
    id: "a1",
    content: "Checking.\n```javascript\nconsole.log(await get_weather({ city: 'Paris' }))\n```",
  };
  const observed = observation("o1", result({ output: "18\n" }));
  const answer: ApiMessage = { type: "ai", id: "a2", content: "It is 18 °C." };

  it("groups messages by the run whose checkpoint first holds them and pairs code with its result", () => {
    const history: HistoryEntry[] = [
      { values: { messages: [user, reply, observed, answer] }, metadata: { run_id: "r1" } },
      { values: { messages: [user, reply] }, metadata: { run_id: "r1" } },
      { values: { messages: [user] }, metadata: { run_id: "r1" } },
    ];
    const [run, ...rest] = buildTimelines({
      history,
      runs: [{ run_id: "r1", status: "success", created_at: "2026-01-01T00:00:00Z" }],
      live: new Map(),
    });
    expect(rest).toEqual([]);
    expect(run?.status).toBe("success");
    expect(run?.items.map((item) => item.kind)).toEqual(["user", "model", "cell", "answer"]);
    const cell = run?.items[2];
    expect(cell?.kind === "cell" && cell.code).toBe("console.log(await get_weather({ city: 'Paris' }))");
    expect(cell?.kind === "cell" && cell.status).toBe("done");
    expect(cell?.kind === "cell" && cell.result?.output).toBe("18");
  });

  it("shows the result of approved code in the cell of the run that wrote it", () => {
    const history: HistoryEntry[] = [
      { values: { messages: [user, reply, observed, answer] }, metadata: { run_id: "r2" } },
      { values: { messages: [user, reply] }, metadata: { run_id: "r1" } },
      { values: { messages: [user] }, metadata: { run_id: "r1" } },
    ];
    const [first, second] = buildTimelines({ history, runs: [], live: new Map() });
    expect(first?.items.map((item) => item.kind)).toEqual(["user", "model", "cell"]);
    const cell = first?.items[2];
    expect(cell?.kind === "cell" && cell.status).toBe("done");
    expect(second?.items.map((item) => item.kind)).toEqual(["note", "answer"]);
  });

  it("marks rejected code and attaches live tool calls and output to their cell", () => {
    const rejection = rejectionObservation("too risky");
    const rejected: ApiMessage = {
      type: "human",
      id: "o2",
      content: rejection.content,
      additional_kwargs: rejection.additional_kwargs,
    };
    let live = createLiveRun("r1");
    live = applyStreamPart(live, cellStart("console.log(await get_weather({ city: 'Paris' }))"));
    live = applyStreamPart(live, { event: "custom", data: { type: "codeact_output", chunk: "18\n" } });
    // Rejected code never runs, so the stream has no cell for it.
    const [run] = buildTimelines({
      history: [{ values: { messages: [user, reply, rejected] }, metadata: { run_id: "r1" } }],
      runs: [],
      live: new Map([["r1", createLiveRun("r1")]]),
    });
    const cell = run?.items.find((item) => item.kind === "cell");
    expect(cell?.kind === "cell" && cell.status).toBe("rejected");
    expect(run?.items.at(-1)).toMatchObject({ kind: "note", title: "Rejected" });

    const [running] = buildTimelines({
      history: [{ values: { messages: [user, reply] }, metadata: { run_id: "r1" } }],
      runs: [],
      live: new Map([["r1", live]]),
    });
    const runningCell = running?.items.find((item) => item.kind === "cell");
    expect(runningCell?.kind === "cell" && runningCell.status).toBe("running");
    expect(runningCell?.kind === "cell" && runningCell.output).toBe("18\n");
  });

  it("detects the language of a reply from its fence tag", () => {
    expect(detectLanguage("```python\nprint(1)\n```")).toBe("python");
    expect(detectLanguage("```ts\nlet a = 1\n```", "python")).toBe("javascript");
    expect(detectLanguage("```\nx\n```", "python")).toBe("python");
  });

  it("keeps the agent name of supervisor messages and tool-call turns", () => {
    const handoff = new AIMessage({ content: "", tool_calls: [{ name: "transfer_to_js_analyst", args: {}, id: "t1" }] });
    const [run] = buildTimelines({
      history: [
        {
          values: {
            messages: [user, { type: "ai", id: "a3", name: "lead", content: "", tool_calls: handoff.tool_calls }],
          },
          metadata: { run_id: "r1" },
        },
      ],
      runs: [],
      live: new Map(),
    });
    expect(run?.items[1]).toMatchObject({ kind: "model", agent: "lead", toolCalls: [{ name: "transfer_to_js_analyst" }] });
  });
});

function cellStart(code: string, namespace = "execute:1"): StreamPart {
  return {
    event: "events",
    data: {
      event: "on_chain_start",
      name: "execute_code",
      data: { input: { code } },
      metadata: { langgraph_node: "execute", langgraph_checkpoint_ns: namespace, codeact_language: "javascript" },
    },
  };
}

describe("live stream reducer", () => {
  it("tracks active nodes (subgraphs as parent:child), cells, output and tool calls", () => {
    const node = (event: string, name: string, namespace: string): StreamPart => ({
      event: "events",
      data: { event, name, metadata: { langgraph_node: name, langgraph_checkpoint_ns: namespace } },
    });
    let run: LiveRun = createLiveRun();
    run = applyStreamPart(run, { event: "metadata", data: { run_id: "r9" } });
    run = applyStreamPart(run, node("on_chain_start", "js_analyst", "js_analyst:1"));
    run = applyStreamPart(run, node("on_chain_start", "execute", "js_analyst:1|execute:2"));
    expect(run.runId).toBe("r9");
    expect(run.activeNodes).toEqual(["js_analyst", "js_analyst:execute"]);

    run = applyStreamPart(run, cellStart("x", "js_analyst:1|execute:2"));
    // Custom-stream chunks as the execute node writes them (namespaced like a subgraph's).
    const custom = (data: unknown): StreamPart => ({ event: "custom|js_analyst:1|execute:2", data });
    run = applyStreamPart(run, custom({ type: "codeact_tool_call", phase: "start", index: 0, name: "get_weather", args: '{"city":"Paris"}' }));
    expect(run.cells[0]?.toolCalls).toEqual([{ name: "get_weather", args: { city: "Paris" }, running: true }]);
    run = applyStreamPart(run, custom({ type: "codeact_output", chunk: "a" }));
    run = applyStreamPart(run, custom({ type: "codeact_tool_call", phase: "end", index: 0, name: "get_weather", result: '{"temperatureC":18}', durationMs: 2.5 }));
    run = applyStreamPart(run, custom({ type: "codeact_tool_call", phase: "start", index: 1, name: "get_weather", args: '{"city":"Oslo"}' }));
    run = applyStreamPart(run, custom({ type: "codeact_tool_call", phase: "end", index: 1, name: "get_weather", error: "get_weather: unknown city", durationMs: 1 }));
    run = applyStreamPart(run, custom({ type: "codeact_output", chunk: "b" }));
    run = applyStreamPart(run, custom({ type: "codeact_rich_output", index: 0, output: { mimeType: "image/png", data: "AAAA", bytes: 3 } }));
    expect(run.cells).toHaveLength(1);
    expect(run.cells[0]?.output).toBe("ab");
    expect(run.cells[0]?.toolCalls).toEqual([
      { name: "get_weather", args: { city: "Paris" }, result: { temperatureC: 18 }, durationMs: 2.5, running: false },
      { name: "get_weather", args: { city: "Oslo" }, error: "get_weather: unknown city", durationMs: 1, running: false },
    ]);
    expect(run.cells[0]?.outputs).toEqual([{ mimeType: "image/png", data: "AAAA", bytes: 3 }]);

    const unchanged = applyStreamPart(run, { event: "events", data: { event: "on_chat_model_stream", name: "ChatOpenAI" } });
    expect(unchanged).toBe(run);

    run = applyStreamPart(run, node("on_chain_end", "execute", "js_analyst:1|execute:2"));
    expect(run.activeNodes).toEqual(["js_analyst"]);
    run = finishLiveRun(run);
    expect(run.status).toBe("done");
    expect(run.activeNodes).toEqual([]);
    expect(run.cells[0]?.running).toBe(false);
  });

  it("records a failed run", () => {
    const run = applyStreamPart(createLiveRun(), { event: "error", data: { error: "TypeError", message: "boom" } });
    expect(finishLiveRun(run)).toMatchObject({ status: "error", error: "TypeError: boom" });
  });

  it("names nodes from checkpoint namespaces", () => {
    expect(nodeIdOfNamespace("model:abc")).toBe("model");
    expect(nodeIdOfNamespace("python_analyst:1|route:2")).toBe("python_analyst:route");
  });
});

describe("graph model", () => {
  // The team graph as `getGraph(id, { xray: true })` returned it (trimmed).
  const team = {
    nodes: ["__start__", "lead:__start__", "lead:agent", "lead:__end__", "js_analyst:__start__", "js_analyst:model", "js_analyst:execute", "js_analyst:__end__", "__end__"].map((id) => ({ id })),
    edges: [
      { source: "__start__", target: "lead:__start__" },
      { source: "lead:__start__", target: "lead:agent" },
      { source: "lead:agent", target: "js_analyst:__start__", conditional: true },
      { source: "js_analyst:__start__", target: "js_analyst:model" },
      { source: "js_analyst:model", target: "js_analyst:execute", conditional: true },
      { source: "js_analyst:execute", target: "js_analyst:model" },
      { source: "js_analyst:__end__", target: "lead:agent" },
      { source: "lead:agent", target: "lead:__end__", conditional: true },
      { source: "lead:__end__", target: "__end__" },
    ],
  };

  it("collapses subgraphs into one node and expands them into clusters", () => {
    expect(subgraphIds(team).sort()).toEqual(["js_analyst", "lead"]);
    const collapsed = buildGraphModel(team, new Set());
    expect(collapsed.nodes.map((node) => node.id).sort()).toEqual(["__end__", "__start__", "js_analyst", "lead"]);
    expect(collapsed.clusters).toEqual([]);
    expect(collapsed.edges).toContainEqual({ source: "lead", target: "js_analyst", conditional: true });
    expect(collapsed.edges).toContainEqual({ source: "js_analyst", target: "lead", conditional: false });

    const expanded = buildGraphModel(team, new Set(["js_analyst"]));
    expect(expanded.clusters).toEqual([{ id: "js_analyst", label: "js_analyst" }]);
    expect(expanded.nodes.find((node) => node.id === "js_analyst:execute")).toMatchObject({ parent: "js_analyst", subgraph: false });
    expect(expanded.edges).toContainEqual({ source: "js_analyst:execute", target: "js_analyst:model", conditional: false });
  });

  it("highlights a collapsed subgraph when a node inside it runs", () => {
    expect(isActive("js_analyst", ["js_analyst:execute"])).toBe(true);
    expect(isActive("js_analyst:model", ["js_analyst:execute"])).toBe(false);
    expect(isActive("model", ["model"])).toBe(true);
  });
});
