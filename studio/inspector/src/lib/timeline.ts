/**
 * Builds the per-run timeline of a thread: user messages, model turns, code
 * cells with their results, answers. Messages come from the thread's history
 * (each checkpoint names the run that wrote it), results (tool calls and rich
 * outputs included) from the observations' details; while a cell runs, its
 * output, tool calls and rich outputs come from {@link LiveRun}s.
 * Kept free of DOM and React so jest can test it.
 */
import { extractCode } from "../../../../src/graph/extract-code.js";
import type { CodeLanguage, LiveCell, LiveRun, ToolCallView } from "./live.js";
import { contentText, readObservation, type ParsedObservation } from "./observation.js";

/** Marks on `additional_kwargs.codeact` (src/graph/messages.ts). */
const CODEACT_KEY = "codeact";
const OBSERVATION_MARK = "observation";
const STOPPED_MARK = "stopped";
const DETAILS_KEY = "codeact_observation";

const PYTHON_TAGS = new Set(["py", "python", "python3", "ipython", "ipython3", "py3"]);
const JAVASCRIPT_TAGS = new Set(["js", "javascript", "ts", "typescript", "jsx", "tsx", "mjs", "node"]);

/** A message as the LangGraph API returns it. */
export interface ApiMessage {
  type: string;
  content: unknown;
  id?: string;
  name?: string;
  additional_kwargs?: Record<string, unknown>;
  tool_calls?: Array<{ name: string; args: unknown; id?: string }>;
}

/** A checkpoint of the thread's history (`client.threads.getHistory`). */
export interface HistoryEntry {
  values: unknown;
  metadata?: Record<string, unknown> | null;
}

/** A run of the thread (`client.runs.list`). */
export interface RunInfo {
  run_id: string;
  status: string;
  created_at: string;
}

export type CellStatus = "pending" | "running" | "done" | "error" | "rejected";

export type TimelineItem =
  | { kind: "user"; key: string; text: string }
  | {
      kind: "model";
      key: string;
      text: string;
      agent?: string;
      hasCode: boolean;
      toolCalls: Array<{ name: string; args: unknown }>;
    }
  | {
      kind: "cell";
      key: string;
      code: string;
      language: CodeLanguage;
      status: CellStatus;
      result?: ParsedObservation;
      output: string;
      toolCalls: ToolCallView[];
      /** Rich outputs seen on the stream before the cell's observation arrived. */
      liveOutputs: LiveCell["outputs"];
    }
  | { kind: "note"; key: string; title: string; text: string }
  | { kind: "answer"; key: string; text: string; agent?: string; structured?: unknown }
  | { kind: "stopped"; key: string; text: string };

export interface RunTimeline {
  /** The run's id, or `pending` for messages no checkpoint attributes. */
  runId: string;
  status?: string;
  createdAt?: string;
  items: TimelineItem[];
}

export interface TimelineInput {
  /** The thread's checkpoints, newest first, as the API returns them. */
  history: HistoryEntry[];
  runs: RunInfo[];
  live: ReadonlyMap<string, LiveRun>;
  /** The language of the assistant's code, when known (from the graph id). */
  languageHint?: CodeLanguage;
}

/** The language of a model reply's code: the fence tag, else the hint. */
export function detectLanguage(text: string, hint: CodeLanguage = "javascript"): CodeLanguage {
  for (const match of text.matchAll(/^[ \t]*(?:`{3,}|~{3,})[ \t]*([A-Za-z0-9+#.-]+)/gm)) {
    const tag = match[1]?.toLowerCase() ?? "";
    if (PYTHON_TAGS.has(tag)) return "python";
    if (JAVASCRIPT_TAGS.has(tag)) return "javascript";
  }
  return hint;
}

function messagesOf(values: unknown): ApiMessage[] {
  const messages = (values as { messages?: unknown } | null)?.messages;
  return Array.isArray(messages) ? (messages as ApiMessage[]) : [];
}

function isObservation(message: ApiMessage): boolean {
  return message.additional_kwargs?.[CODEACT_KEY] === OBSERVATION_MARK;
}

function observationKind(message: ApiMessage): string | undefined {
  const details = message.additional_kwargs?.[DETAILS_KEY];
  return typeof details === "object" && details !== null
    ? String((details as { kind?: unknown }).kind)
    : undefined;
}

/** Builds one timeline per run, oldest first. */
export function buildTimelines(input: TimelineInput): RunTimeline[] {
  const oldestFirst = [...input.history].reverse();
  const latest = oldestFirst.at(-1);
  const runOfMessage = new Map<string, string>();
  for (const entry of oldestFirst) {
    const runId = entry.metadata?.["run_id"];
    for (const message of messagesOf(entry.values)) {
      if (message.id !== undefined && !runOfMessage.has(message.id) && typeof runId === "string") {
        runOfMessage.set(message.id, runId);
      }
    }
  }

  const groups: Array<{ runId: string; messages: ApiMessage[] }> = [];
  for (const message of messagesOf(latest?.values)) {
    const runId = (message.id !== undefined && runOfMessage.get(message.id)) || "pending";
    const last = groups.at(-1);
    if (last !== undefined && last.runId === runId) last.messages.push(message);
    else groups.push({ runId, messages: [message] });
  }
  // Runs that wrote nothing yet (one that just started) still get a timeline.
  for (const [runId] of input.live) {
    if (!groups.some((group) => group.runId === runId)) groups.push({ runId, messages: [] });
  }

  const runInfo = new Map(input.runs.map((run) => [run.run_id, run]));
  const structured = (latest?.values as { structuredResponse?: unknown } | undefined)?.structuredResponse;
  const carry: CarriedState = {};
  return groups.map((group, index) => {
    const info = runInfo.get(group.runId);
    const live = input.live.get(group.runId);
    const items = runItems(group.messages, live, input.languageHint, group.runId, carry);
    if (index === groups.length - 1 && structured !== undefined && structured !== null) {
      const answer = [...items].reverse().find((item) => item.kind === "answer");
      if (answer?.kind === "answer") answer.structured = structured;
    }
    return {
      runId: group.runId,
      ...((live?.status === "running" ? "running" : info?.status) !== undefined && {
        status: live?.status === "running" ? "running" : info?.status,
      }),
      ...(info?.created_at !== undefined && { createdAt: info.created_at }),
      items,
    };
  });
}

type CellItem = Extract<TimelineItem, { kind: "cell" }>;

/**
 * What one run leaves to the next: a cell written in one run runs in the
 * next when an approval interrupt stopped the first; its result is shown in
 * the cell, where the model wrote it.
 */
interface CarriedState {
  openCell?: CellItem;
}

function runItems(
  messages: ApiMessage[],
  live: LiveRun | undefined,
  hint: CodeLanguage | undefined,
  runId: string,
  carry: CarriedState
): TimelineItem[] {
  const items: TimelineItem[] = [];
  let openCell: CellItem | undefined = carry.openCell;
  const carriedCell = openCell;
  const liveCells = [...(live?.cells ?? [])];
  const used = new Set<LiveCell>();
  const takeLive = (code: string): LiveCell | undefined => {
    const match =
      liveCells.find((cell) => !used.has(cell) && cell.code.trim() === code.trim()) ??
      liveCells.find((cell) => !used.has(cell));
    if (match !== undefined) used.add(match);
    return match;
  };
  const attachLive = (cell: CellItem): void => {
    const match = takeLive(cell.code);
    if (match === undefined) return;
    // The observation's record wins; the stream's only stands in until it arrives.
    if (cell.result?.toolCalls === undefined) cell.toolCalls = match.toolCalls;
    cell.output = match.output;
    cell.liveOutputs = match.outputs;
    if (match.running && cell.status === "pending") cell.status = "running";
  };

  messages.forEach((message, index) => {
    const key = message.id ?? `${runId}-${index}`;
    const text = contentText(message.content);
    if (message.type === "human" && isObservation(message)) {
      const kind = observationKind(message);
      if (kind === "execution") {
        const result = readObservation(message.content, message.additional_kwargs?.[DETAILS_KEY]);
        const cell = openCell ?? {
          kind: "cell" as const,
          key: `${key}-cell`,
          code: result.editedCode ?? "",
          language: hint ?? "javascript",
          status: "pending" as CellStatus,
          output: "",
          toolCalls: [],
          liveOutputs: [],
        };
        if (openCell === undefined) items.push(cell);
        if (openCell !== undefined && openCell === carriedCell) {
          items.push({ kind: "note", key: `${key}-resumed`, title: "Resumed", text: "The approved code ran; its result is in the cell above." });
        }
        if (result.editedCode !== undefined) cell.code = result.editedCode;
        cell.result = result;
        if (result.toolCalls !== undefined) cell.toolCalls = result.toolCalls.map((call) => ({ ...call, running: false }));
        cell.status = result.error ? "error" : "done";
        attachLive(cell);
        cell.status = result.error ? "error" : "done";
        openCell = undefined;
      } else if (kind === "rejection") {
        if (openCell !== undefined) openCell.status = "rejected";
        openCell = undefined;
        items.push({ kind: "note", key, title: "Rejected", text });
      } else {
        items.push({ kind: "note", key, title: kind === "format_error" ? "Format error" : "Observation", text });
      }
      return;
    }
    if (message.type === "human") {
      items.push({ kind: "user", key, text });
      return;
    }
    if (message.type === "ai") {
      if (message.additional_kwargs?.[CODEACT_KEY] === STOPPED_MARK) {
        items.push({ kind: "stopped", key, text });
        return;
      }
      const language = detectLanguage(text, hint);
      const code = extractCode(text, language);
      const toolCalls = (message.tool_calls ?? []).map((call) => ({ name: call.name, args: call.args }));
      if (code === null && toolCalls.length === 0) {
        items.push({ kind: "answer", key, text, ...(message.name !== undefined && { agent: message.name }) });
        return;
      }
      items.push({
        kind: "model",
        key,
        text,
        hasCode: code !== null,
        toolCalls,
        ...(message.name !== undefined && { agent: message.name }),
      });
      if (code !== null) {
        openCell = {
          kind: "cell",
          key: `${key}-cell`,
          code,
          language,
          status: "pending",
          output: "",
          toolCalls: [],
          liveOutputs: [],
        };
        items.push(openCell);
      }
      return;
    }
    if (message.type === "tool") {
      items.push({ kind: "note", key, title: `Tool ${message.name ?? ""}`.trim(), text });
    }
  });
  if (openCell !== undefined && openCell !== carriedCell) attachLive(openCell);
  carry.openCell = openCell;
  // Cells the stream reported before any checkpoint carried their code.
  for (const cell of liveCells) {
    if (used.has(cell)) continue;
    items.push({
      kind: "cell",
      key: `${runId}-live-${liveCells.indexOf(cell)}`,
      code: cell.code,
      language: cell.language ?? hint ?? "javascript",
      status: cell.running ? "running" : "pending",
      output: cell.output,
      toolCalls: cell.toolCalls,
      liveOutputs: cell.outputs,
    });
  }
  return items;
}
