/**
 * What a cell that a limit or a failure stopped returns, for both isolation
 * modes: one wording of each failure for the model, and the cause a restart
 * reports. A session's isolate ended by one of these is replaced and
 * restored from the last snapshot.
 */
import { performance } from "node:perf_hooks";
import type { ExecuteResult, ExecutionError } from "../types.js";
import { clip } from "../../shared/clip.js";

/** Longest error name kept: a name is a word, not a payload. */
const MAX_ERROR_NAME_CHARS = 200;

/**
 * The error with its name, message and traceback cut to size (the message
 * and the traceback to `maxChars` each, like output): model code can throw
 * an error whose message is megabytes, which would otherwise go whole into
 * the observation and every later checkpoint.
 */
export function cappedError(error: ExecutionError, maxChars: number): ExecutionError {
  return {
    name: clip(error.name, MAX_ERROR_NAME_CHARS),
    message: clip(error.message, maxChars),
    ...(error.traceback !== undefined && { traceback: clip(error.traceback, maxChars) }),
  };
}

/** Why a cell's isolate (or the worker process holding it) was stopped. */
export type SandboxFailure = "timeout" | "memory" | "abort" | "crash";

/** The limits a failure message names. */
export interface FailureLimits {
  timeoutMs: number;
  memoryLimitMb: number;
}

/** The error the model reads for a cell stopped by `failure`. */
export function failureError(failure: SandboxFailure, limits: FailureLimits, what = "sandbox"): ExecutionError {
  switch (failure) {
    case "timeout":
      return { name: "TimeoutError", message: `The cell ran longer than ${limits.timeoutMs} ms and was stopped.` };
    case "memory":
      return {
        name: "MemoryLimitError",
        message: `The cell used more than the ${limits.memoryLimitMb} MB memory limit and was stopped.`,
      };
    case "abort":
      return { name: "AbortError", message: "The run was aborted." };
    default:
      return { name: "SessionCrashedError", message: `The ${what} crashed while running the cell.` };
  }
}

const FAILURE_WORDS: Record<SandboxFailure, string> = {
  timeout: "a timeout",
  memory: "running out of memory",
  abort: "an abort",
  crash: "a crash",
};

/** The cause of a restart after `failure`, for a {@link SessionChange}. */
export function restartCause(failure: SandboxFailure): string {
  return `the sandbox was restarted after ${FAILURE_WORDS[failure]}`;
}

/** The result of a run aborted before its cell started. */
export function abortedBeforeStart(startedAt: number): ExecuteResult {
  return {
    output: "",
    error: { name: "AbortError", message: "The run was aborted before it started." },
    outputs: [],
    durationMs: performance.now() - startedAt,
  };
}
