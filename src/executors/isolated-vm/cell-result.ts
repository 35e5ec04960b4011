/**
 * The parts of an in-process cell that only shape what comes back: its
 * output as it streams (capped live as well as in the result) and the
 * ExecuteResult built from the session slot.
 */
import { performance } from "node:perf_hooks";
import type { SessionChange } from "../session-change.js";
import type { ExecuteResult, ExecutionError, JsonValue } from "../types.js";
import type { OutputBuffer } from "../../shared/clip.js";
import type { SessionSlot } from "./session-slots.js";
import { noDefinitions } from "../session-definitions.js";

/** What a cell ends with, besides its session's variables. */
export interface CellResultParts {
  output: string;
  startedAt: number;
  log: { change?: SessionChange };
  truncated?: boolean;
  value?: string | undefined;
  error?: ExecutionError | undefined;
}

/** The result of a cell: its parts and the slot's current snapshot. */
export function cellResult(slot: SessionSlot, parts: CellResultParts): ExecuteResult {
  const variables: Record<string, JsonValue> = {};
  for (const [name, json] of slot.variablesJson) variables[name] = JSON.parse(json) as JsonValue;
  return {
    output: parts.output,
    ...(parts.value !== undefined ? { value: parts.value } : {}),
    ...(parts.error ? { error: parts.error } : {}),
    outputs: [],
    variables,
    unsavedVariables: [...slot.unsavedVariables],
    ...(!noDefinitions(slot.definitions) && { definitions: slot.definitions }),
    ...(parts.log.change !== undefined && { sessionChange: parts.log.change }),
    ...(parts.truncated ? { truncated: true } : {}),
    durationMs: performance.now() - parts.startedAt,
  };
}

/**
 * The guest's output callback: everything goes to `output` (which keeps head
 * and tail); live chunks go to `onOutput` until `maxChars` have streamed,
 * then one marker says the rest is not streamed.
 */
export function cappedOutput(
  output: OutputBuffer,
  onOutput: ((chunk: string) => void) | undefined,
  maxChars: number
): (stream: "stdout" | "stderr", text: string) => void {
  let streamedChars = 0;
  return (_stream, text) => {
    output.append(text);
    if (!onOutput || streamedChars >= maxChars) return;
    onOutput(text);
    streamedChars += text.length;
    if (streamedChars >= maxChars) onOutput("\n... [further output not streamed] ...\n");
  };
}

/** Said when a cell ended with tool calls still running (it did not await them). */
export function abandonedToolCallsNote(count: number): string {
  return (
    `[${count} tool call(s) still running when the cell ended: their results are dropped and code waiting ` +
    "on them never resumes; await every tool call inside the cell]\n"
  );
}

/** Said with every loss in a new session: what can travel between processes and what cannot. */
export const CANNOT_TRAVEL_NOTE =
  "Top-level functions and classes and plain data travel to a new session; closures over a finished cell's local " +
  "state, generators, promises, and objects with methods, accessors or private fields do not.";
