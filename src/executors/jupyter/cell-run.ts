/**
 * One cell in a kernel: send it, serve its tool calls, and stop it at its
 * time limit or on abort — interrupt first, then a grace period for the
 * kernel to stop on its own.
 */
import type { ExecuteRequest } from "../types.js";
import { TIMED_OUT, withTimeout } from "../../shared/timeout.js";
import type { CellOutput } from "./cell-output.js";
import type { KernelSession, KernelSessions } from "./kernel-sessions.js";
import { snapshotExpression } from "./python-runtime.js";
import { answerStdin } from "./tool-channel.js";

/** A UTF-16 surrogate without its other half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** How a cell ended. */
export type CellEnd =
  | { kind: "done"; reply: Record<string, unknown> }
  | { kind: "failed"; error: unknown }
  /** `kernelStopped`: the cell ended within the grace period after the interrupt. */
  | { kind: "timeout" | "abort"; kernelStopped: boolean };

export interface CellLimits {
  timeoutMs: number;
  interruptGraceMs: number;
  maxVariableChars: number;
  maxToolResultBytes: number;
}

/** Sends the user's cell and waits for its end, a timeout or an abort. */
export async function runCell(
  sessions: KernelSessions,
  session: KernelSession,
  request: ExecuteRequest,
  output: CellOutput,
  limits: CellLimits
): Promise<CellEnd> {
  const connection = session.connection;
  let active = true;
  const channel = {
    connection,
    tools: session.tools,
    output,
    maxToolResultBytes: limits.maxToolResultBytes,
    isActive: () => active,
  };
  // The server re-packs what it receives as strict UTF-8 and drops a message
  // carrying a lone surrogate, so code gets U+FFFD in its place.
  const pending = connection.execute(request.code.replace(LONE_SURROGATE, "\uFFFD"), {
    allowStdin: true,
    storeHistory: true,
    userExpressions: { snapshot: snapshotExpression(limits.maxVariableChars) },
    onIopub: (message) => output.handle(message),
    onStdin: (message) => {
      if (active) void answerStdin(channel, message);
    },
  });
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<"abort">((resolve) => {
    onAbort = () => resolve("abort");
    // The signal may have fired while the kernel was starting.
    if (request.signal?.aborted) onAbort();
    else request.signal?.addEventListener("abort", onAbort, { once: true });
  });
  const finished = pending.done.then(
    (reply): CellEnd => ({ kind: "done", reply }),
    (error: unknown): CellEnd => ({ kind: "failed", error })
  );
  try {
    const first = await withTimeout(Promise.race([finished, aborted]), limits.timeoutMs);
    if (first !== TIMED_OUT && first !== "abort") return first;
    const kind = first === TIMED_OUT ? "timeout" : "abort";
    // Interrupt, then give the cell a grace period to finish.
    await sessions.interrupt(session);
    const graceEnd = await withTimeout(finished, limits.interruptGraceMs);
    if (graceEnd !== TIMED_OUT && graceEnd.kind === "failed") return graceEnd;
    if (graceEnd === TIMED_OUT) connection.forget(pending.header.msg_id);
    return { kind, kernelStopped: graceEnd !== TIMED_OUT };
  } finally {
    active = false;
    if (onAbort) request.signal?.removeEventListener("abort", onAbort);
  }
}
