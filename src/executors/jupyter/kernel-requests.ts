/**
 * Our own silent requests to a kernel (bootstrap, tool installation,
 * restore, snapshot) and how their replies are read. A failure here is an
 * infrastructure failure, never the model's.
 */
import { ExecutorProtocolError, ExecutorUnavailableError } from "../errors.js";
import type { JsonValue } from "../types.js";
import { TIMED_OUT, withTimeout } from "../../shared/timeout.js";
import type { KernelConnection } from "./kernel-connection.js";

/** Limit for our own silent requests, which include kernel start-up. */
const SETUP_TIMEOUT_MS = 60_000;

/** The JSON-safe globals of a kernel, and the names that could not be saved. */
export interface Snapshot {
  variables: Record<string, JsonValue>;
  unsaved: string[];
}

/** Runs our own code silently and returns the execute_reply content. */
export async function runSilently(
  connection: KernelConnection,
  where: { baseUrl: string; kernelId: string },
  code: string,
  userExpressions: Record<string, string> = {}
): Promise<Record<string, unknown>> {
  const pending = connection.execute(code, { silent: true, userExpressions });
  try {
    const reply = await withTimeout(pending.done, SETUP_TIMEOUT_MS);
    if (reply === TIMED_OUT) {
      throw new ExecutorUnavailableError(
        `The kernel ${where.kernelId} on ${where.baseUrl} did not answer within ${SETUP_TIMEOUT_MS} ms.`,
        { details: { url: where.baseUrl, kernelId: where.kernelId } }
      );
    }
    if (reply.status !== "ok") {
      throw new ExecutorProtocolError(
        `The executor's setup code failed in the kernel: ${String(reply.ename)}: ${String(reply.evalue)}`
      );
    }
    return reply;
  } finally {
    connection.forget(pending.header.msg_id);
  }
}

/** A user expression's value from an execute_reply, decoded from JSON. */
export function userExpressionJson(reply: Record<string, unknown>, key: string): unknown {
  const expressions = reply.user_expressions as Record<string, unknown> | undefined;
  const entry = expressions?.[key] as { status?: string; data?: Record<string, unknown> } | undefined;
  if (entry?.status !== "ok" || !entry.data) return undefined;
  const json = entry.data["application/json"];
  if (json !== undefined) return json;
  const plain = entry.data["text/plain"];
  try {
    return typeof plain === "string" ? JSON.parse(plain) : undefined;
  } catch {
    return undefined;
  }
}

/** The snapshot carried by a reply's `snapshot` user expression, if any. */
export function snapshotOf(reply: Record<string, unknown>): Snapshot | undefined {
  const data = userExpressionJson(reply, "snapshot") as
    | { variables?: Record<string, JsonValue>; unsaved?: string[] }
    | undefined;
  if (!data?.variables) return undefined;
  return { variables: data.variables, unsaved: data.unsaved ?? [] };
}
