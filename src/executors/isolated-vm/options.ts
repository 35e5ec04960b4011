/** The isolated-vm executor's options, their defaults, and the words that describe the sandbox to the model. */
import type { ExecutionLimits } from "../types.js";

/** Wall-clock limit of one cell, awaited tool calls included. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** V8 heap limit of each session's isolate (a guideline: V8 may overshoot it). */
export const DEFAULT_MEMORY_LIMIT_MB = 128;
/** Cap on a cell's returned output; head and tail are kept. */
export const DEFAULT_MAX_OUTPUT_CHARS = 20_000;
/** Sessions unused this long are disposed. */
export const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60_000;
/** Largest JSON text of one global that goes into the variable snapshot. */
export const DEFAULT_MAX_VARIABLE_CHARS = 1_000_000;
/** Ready isolates kept for new sessions; see {@link IsolatedVmExecutorOptions.prewarmSessions}. */
export const DEFAULT_PREWARM_SESSIONS = 2;
/** Where isolates run by default; see {@link IsolatedVmExecutorOptions.isolation}. */
export const DEFAULT_ISOLATION: IsolationMode = "process";

/**
 * Where the isolates run. `"in-process"`: in this process (fastest). `"process"`:
 * in one supervised worker process, so a V8 failure that can crash or wedge a
 * process (out-of-memory inside V8) costs only the worker, which is killed and
 * replaced while sessions are restored from their snapshots.
 */
export type IsolationMode = "in-process" | "process";

/** Options of {@link IsolatedVmExecutor}. */
export interface IsolatedVmExecutorOptions extends ExecutionLimits {
  /**
   * Wall-clock limit of one cell, including time spent awaiting tools; a
   * host watchdog disposes the isolate when it runs out.
   * @defaultValue `30_000`
   */
  timeoutMs?: number;
  /** Heap limit of each session's isolate, in MB. @defaultValue `128` */
  memoryLimitMb?: number;
  /** Cap on {@link ExecuteResult.output}. @defaultValue `20_000` */
  maxOutputChars?: number;
  /** Idle sessions are disposed after this long. @defaultValue `600_000` (10 min) */
  idleTimeoutMs?: number;
  /** When set, the least recently used idle session is evicted beyond this many. */
  maxSessions?: number;
  /** Per-global cap on the snapshot's JSON text. @defaultValue `1_000_000` */
  maxVariableChars?: number;
  /**
   * Where isolates run: `"in-process"` or `"process"` (a supervised worker
   * process, restarted after crashes). @defaultValue `"process"`
   */
  isolation?: IsolationMode;
  /**
   * Isolates kept ready (runtime installed) so a new session starts without
   * building one; refilled in the background. `0` turns the pool off.
   * @defaultValue `2`
   */
  prewarmSessions?: number;
}

/** `value`, or `fallback` when unset. @throws RangeError when not a positive number. */
export function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}.`);
  return value;
}

/** The sandbox in words for the system prompt. */
export function describeSandbox(timeoutMs: number, memoryLimitMb: number, maxOutputChars: number): string {
  const seconds = timeoutMs / 1000;
  return [
    "Your code runs as JavaScript in an isolated V8 sandbox (TypeScript syntax is accepted; types are ignored). console.log pretty-prints objects, arrays, Maps and errors; tool arguments and results are JSON values.",
    "Only standard JavaScript built-ins exist (JSON, Math, Date, Intl, RegExp, Map, Set, Promise, typed arrays, ...): there is no require/import, no process, no filesystem, no network or fetch, no setTimeout or other timers, and no Node.js or browser APIs.",
    `Limits: each code block may run for ${seconds} seconds and use about ${memoryLimitMb} MB of memory; output over ${maxOutputChars} characters is cut in the middle.`,
    "If a block hits a limit the sandbox restarts: variables holding JSON data, top-level function and class declarations and instances of those classes are restored; other values (Maps, Sets, closures) are lost, and you are told which names to define again.",
  ].join("\n");
}
