/**
 * What the inspector learns while a run streams, before checkpoints carry
 * it: live cell output, the tool calls made inside each cell and the cell's
 * rich outputs (the `custom` stream), and the active graph nodes and cells
 * (the `events` stream). Gathered here, one {@link LiveRun} per run, by a
 * pure reducer.
 */
import type { RichOutputStreamChunk, ToolCallStreamChunk } from "../../../../src/graph/nodes/execute.js";
import type { ObservationRichOutput } from "../../../../src/graph/messages.js";
import { parseJsonText } from "./observation.js";

/** `type` of the custom stream chunks with live cell output (src/graph/constants.ts). */
export const OUTPUT_STREAM_TYPE = "codeact_output";
/** `type` of the custom stream chunks with a cell's tool call start or end. */
export const TOOL_CALL_STREAM_TYPE = "codeact_tool_call";
/** `type` of the custom stream chunks with a cell's rich output. */
export const RICH_OUTPUT_STREAM_TYPE = "codeact_rich_output";
/** Name of the traced child run of each code cell (src/graph/nodes/execute.ts). */
export const CELL_RUN_NAME = "execute_code";

export type CodeLanguage = "javascript" | "python";

/** A tool call made from inside a cell. */
export interface ToolCallView {
  name: string;
  args: unknown;
  result?: unknown;
  error?: string;
  durationMs?: number;
  running: boolean;
}

/** A code cell as seen on the stream. */
export interface LiveCell {
  code: string;
  /** Checkpoint namespace of the `execute` task that ran the cell. */
  namespace: string;
  language?: CodeLanguage;
  output: string;
  toolCalls: ToolCallView[];
  /** Rich outputs, sent when the cell ends. */
  outputs: ObservationRichOutput[];
  running: boolean;
}

export interface LiveRun {
  runId: string | null;
  status: "running" | "done" | "error";
  error?: string;
  /** Graph node ids running now, `parent:child` for subgraph nodes (as in xray graphs). */
  activeNodes: string[];
  cells: LiveCell[];
}

/** One event of the LangGraph API stream (`event` is the SSE event name). */
export interface StreamPart {
  event: string;
  data: unknown;
}

/** The fields of an `events`-mode payload the inspector reads. */
interface RunEvent {
  event?: string;
  name?: string;
  data?: { input?: unknown; output?: unknown; error?: unknown };
  metadata?: Record<string, unknown>;
}

export function createLiveRun(runId: string | null = null): LiveRun {
  return { runId, status: "running", activeNodes: [], cells: [] };
}

/** The graph node id of a checkpoint namespace: `a:uuid|b:uuid` → `a:b`. */
export function nodeIdOfNamespace(namespace: string): string {
  return namespace
    .split("|")
    .filter((segment) => segment !== "")
    .map((segment) => segment.split(":")[0])
    .join(":");
}

/** Applies one stream part to a live run; returns a new object when something changed. */
export function applyStreamPart(run: LiveRun, part: StreamPart): LiveRun {
  const kind = part.event.split("|")[0];
  if (kind === "metadata") {
    const runId = (part.data as { run_id?: unknown } | null)?.run_id;
    return typeof runId === "string" ? { ...run, runId } : run;
  }
  if (kind === "error") {
    const data = part.data as { error?: unknown; message?: unknown } | null;
    return {
      ...run,
      status: "error",
      activeNodes: [],
      error: [data?.error, data?.message].filter((text) => typeof text === "string").join(": "),
    };
  }
  if (kind === "custom") return applyCustomChunk(run, part.data);
  if (kind === "events") return applyRunEvent(run, part.data as RunEvent);
  return run;
}

/** Marks the run finished (the stream ended). */
export function finishLiveRun(run: LiveRun): LiveRun {
  return {
    ...run,
    status: run.status === "error" ? "error" : "done",
    activeNodes: [],
    cells: run.cells.map((cell) => (cell.running ? { ...cell, running: false } : cell)),
  };
}

function applyRunEvent(run: LiveRun, event: RunEvent): LiveRun {
  const metadata = event.metadata ?? {};
  const namespace = stringOr(metadata["langgraph_checkpoint_ns"], "");
  const node = metadata["langgraph_node"];
  const type = event.event ?? "";

  // A node's own run: its name is the node name.
  if (typeof node === "string" && event.name === node && namespace !== "") {
    const id = nodeIdOfNamespace(namespace);
    if (type === "on_chain_start" && !run.activeNodes.includes(id)) {
      return { ...run, activeNodes: [...run.activeNodes, id] };
    }
    if (type === "on_chain_end" || type === "on_chain_error") {
      return { ...run, activeNodes: run.activeNodes.filter((active) => active !== id) };
    }
    return run;
  }
  if (event.name === CELL_RUN_NAME) {
    if (type === "on_chain_start") {
      const input = event.data?.input as { code?: unknown } | undefined;
      const language = metadata["codeact_language"];
      const cell: LiveCell = {
        code: stringOr(input?.code, ""),
        namespace,
        output: "",
        toolCalls: [],
        outputs: [],
        running: true,
        ...((language === "javascript" || language === "python") && { language }),
      };
      return { ...run, cells: [...run.cells, cell] };
    }
    if (type === "on_chain_end" || type === "on_chain_error") {
      const index = lastIndex(run.cells, (cell) => cell.running && cell.namespace === namespace);
      return index === -1 ? run : updateCell(run, index, (cell) => ({ ...cell, running: false }));
    }
    return run;
  }
  return run;
}

/**
 * Applies a `custom` stream chunk to the cell running last: live output, a
 * tool call's start or end, a rich output.
 */
function applyCustomChunk(run: LiveRun, data: unknown): LiveRun {
  if (typeof data !== "object" || data === null) return run;
  const type = (data as { type?: unknown }).type;
  const index = lastIndex(run.cells, (cell) => cell.running);
  if (index === -1) return run;
  if (type === OUTPUT_STREAM_TYPE) {
    const chunk = (data as { chunk?: unknown }).chunk;
    if (typeof chunk !== "string") return run;
    return updateCell(run, index, (cell) => ({ ...cell, output: cell.output + chunk }));
  }
  if (type === TOOL_CALL_STREAM_TYPE) {
    const event = data as ToolCallStreamChunk;
    return updateCell(run, index, (cell) => {
      const toolCalls = [...cell.toolCalls];
      if (event.phase === "start") {
        toolCalls[event.index] = { name: event.name, args: parseJsonText(event.args), running: true };
      } else {
        const started = toolCalls[event.index];
        toolCalls[event.index] = {
          name: event.name,
          args: started?.args,
          running: false,
          ...(event.error !== undefined ? { error: event.error } : { result: parseJsonText(event.result) }),
          ...(event.durationMs !== undefined && { durationMs: event.durationMs }),
        };
      }
      // Slots of calls whose start was missed stay out of the list.
      return { ...cell, toolCalls: toolCalls.filter((call) => call !== undefined) };
    });
  }
  if (type === RICH_OUTPUT_STREAM_TYPE) {
    const event = data as RichOutputStreamChunk;
    return updateCell(run, index, (cell) => {
      const outputs = [...cell.outputs];
      outputs[event.index] = event.output;
      return { ...cell, outputs };
    });
  }
  return run;
}

function updateCell(run: LiveRun, index: number, change: (cell: LiveCell) => LiveCell): LiveRun {
  const cells = [...run.cells];
  cells[index] = change(cells[index] as LiveCell);
  return { ...run, cells };
}

function lastIndex<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  for (let index = items.length - 1; index >= 0; index -= 1) {
    if (predicate(items[index] as T)) return index;
  }
  return -1;
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}
