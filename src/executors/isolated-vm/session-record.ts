/**
 * The host's memory of one session in `isolation: "process"`, kept across
 * worker restarts, and the answers the host gives from it.
 */
import { performance } from "node:perf_hooks";
import type { SessionChange } from "../session-change.js";
import { noDefinitions, parseDefinitions } from "../session-definitions.js";
import type { ExecuteRequest, ExecuteResult, ExecutionError, JsonValue, SessionDefinitions } from "../types.js";

/** Host-side memory of one session, kept across worker restarts. */
export interface SessionRecord {
  /** The worker generation holding the live session; -1 when none does. */
  generation: number;
  variables: Record<string, JsonValue> | undefined;
  definitions: SessionDefinitions | undefined;
  unsavedVariables: string[];
  /** Cells run (or answered here) so far: names the next one `cell-<n + 1>.ts`. */
  cellCount: number;
  /** The model was told of a restart already: the worker's "new session, restored" is not news. */
  noticeSent: boolean;
  queue: Promise<unknown>;
  lastUsedAt: number;
}

/**
 * A cell that cannot run (a syntax error), answered without the worker:
 * the session as it is. A session that is not `live` in the worker stays
 * as the request or the host's copy has it, and its restore is reported by
 * the next cell that runs.
 */
export function answeredOnHost(
  record: SessionRecord,
  live: boolean,
  request: ExecuteRequest,
  error: ExecutionError,
  startedAt: number
): ExecuteResult {
  const fromRecord = record.generation !== -1 || record.variables !== undefined;
  const definitions = parseDefinitions(fromRecord ? record.definitions : request.definitions);
  return {
    output: "",
    error,
    outputs: [],
    variables: (fromRecord ? record.variables : request.variables) ?? {},
    unsavedVariables: live ? [...record.unsavedVariables] : [],
    ...(!noDefinitions(definitions) && { definitions }),
    durationMs: performance.now() - startedAt,
  };
}

/**
 * What the worker reported of a session it started after a replacement: its
 * own "new session, restored …" is dropped when the model already heard of
 * the restart (`told`); a cause of its own (a failure there) is kept.
 */
export function workerChangeAfterRestart(change: SessionChange | undefined, told: boolean): SessionChange | undefined {
  if (change === undefined || !told || change.cause !== undefined) return change;
  return change.notes?.length ? { restored: [], lost: [], notes: change.notes } : undefined;
}

/**
 * The variables that can travel to the worker as JSON; a value nested too
 * deeply for JSON.stringify is left out (the worker then reports it lost)
 * instead of failing the send, which would leave the cell's timers armed.
 */
export function sendable(variables: Record<string, JsonValue> | undefined): { kept: Record<string, JsonValue> | undefined; dropped: string[] } {
  if (variables === undefined) return { kept: undefined, dropped: [] };
  const kept: Record<string, JsonValue> = {};
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(variables)) {
    try {
      JSON.stringify(value);
      kept[name] = value;
    } catch {
      dropped.push(name);
    }
  }
  return { kept, dropped };
}
