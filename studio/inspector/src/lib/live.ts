/**
 * What the inspector learns only while a run streams: live cell output (the
 * `custom` stream), the tool calls made inside each cell and the active graph
 * nodes (the `events` stream). Thread state keeps none of these, so they are
 * gathered here, one {@link LiveRun} per run, by a pure reducer.
 */

/** `type` of the custom stream chunks with live cell output (src/graph/constants.ts). */
export const OUTPUT_STREAM_TYPE = "codeact_output";
/** Name of the traced child run of each code cell (src/graph/nodes/execute.ts). */
export const CELL_RUN_NAME = "execute_code";

export type CodeLanguage = "javascript" | "python";

/** A tool call made from inside a cell. */
export interface ToolCallView {
  name: string;
  args: unknown;
  result?: unknown;
  error?: string;
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
  if (kind === "custom") {
    const data = part.data as { type?: unknown; chunk?: unknown } | null;
    if (data?.type !== OUTPUT_STREAM_TYPE || typeof data.chunk !== "string") return run;
    const chunk = data.chunk;
    const index = lastIndex(run.cells, (cell) => cell.running);
    if (index === -1) return run;
    return updateCell(run, index, (cell) => ({ ...cell, output: cell.output + chunk }));
  }
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
  if (type === "on_tool_start" || type === "on_tool_end" || type === "on_tool_error") {
    const index = lastIndex(run.cells, (cell) => cell.running && cell.namespace === namespace);
    if (index === -1) return run;
    const name = event.name ?? "tool";
    if (type === "on_tool_start") {
      return updateCell(run, index, (cell) => ({
        ...cell,
        toolCalls: [...cell.toolCalls, { name, args: event.data?.input, running: true }],
      }));
    }
    return updateCell(run, index, (cell) => {
      const callIndex = lastIndex(cell.toolCalls, (call) => call.running && call.name === name);
      if (callIndex === -1) return cell;
      const toolCalls = [...cell.toolCalls];
      const call = toolCalls[callIndex] as ToolCallView;
      toolCalls[callIndex] =
        type === "on_tool_end"
          ? { ...call, running: false, result: toolResult(event.data?.output) }
          : { ...call, running: false, error: errorText(event.data?.error) };
      return { ...cell, toolCalls };
    });
  }
  return run;
}

/** A tool's output: the content of a serialised ToolMessage, else the value itself. */
function toolResult(output: unknown): unknown {
  if (typeof output === "object" && output !== null) {
    const message = output as { lc?: unknown; kwargs?: { content?: unknown }; type?: unknown; content?: unknown };
    if (message.lc !== undefined && message.kwargs !== undefined) return message.kwargs.content;
    if (message.type === "tool" && "content" in message) return message.content;
  }
  return output;
}

function errorText(error: unknown): string {
  if (typeof error === "string") return error;
  if (typeof error === "object" && error !== null && "message" in error) {
    return String((error as { message: unknown }).message);
  }
  return JSON.stringify(error) ?? "error";
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
