/**
 * "A session belongs to a version of the thread": which version of each
 * thread's state this process's executor sessions hold, so a session older
 * than the state it is asked to run on is never used as it is. Two workers
 * (or a restart, or a rewind to an earlier checkpoint) can leave a live
 * session behind the thread; running on it would answer from old values and
 * then write them back over the newer ones.
 */
import { randomUUID } from "node:crypto";
import type { Executor } from "../executors/types.js";

interface HeldSession {
  /** The state version this session was left at by its last cell. */
  version: string;
  /** The executor's id for it (the thread's session id, or a successor's). */
  executorSessionId: string;
}

/** Threads remembered per executor; older entries are forgotten first (their sessions are long evicted). */
const MAX_REMEMBERED_SESSIONS = 10_000;
const held = new WeakMap<Executor, Map<string, HeldSession>>();

/**
 * The executor session id to run `sessionId`'s next cell in, given the state
 * version the thread is at. A session this process holds at another version
 * is stale: the executor forgets it (`forgetSession`), or, for an executor
 * that cannot, the cell runs in a new session id — either way it starts from
 * the state's `variables`, as in a new process.
 */
export async function sessionForState(
  executor: Executor,
  sessionId: string,
  stateVersion: string | null
): Promise<{ executorSessionId: string; stale: boolean }> {
  const sessions = held.get(executor);
  const current = sessions?.get(sessionId);
  if (current === undefined) return { executorSessionId: sessionId, stale: false };
  if (current.version === stateVersion) return { executorSessionId: current.executorSessionId, stale: false };
  return { executorSessionId: await freshSession(executor, sessionId), stale: true };
}

/** Records that `executorSessionId` now holds `version` of `sessionId`'s state; returns the version. */
export function recordSessionVersion(executor: Executor, sessionId: string, executorSessionId: string): string {
  const version = randomUUID();
  let sessions = held.get(executor);
  if (sessions === undefined) {
    sessions = new Map();
    held.set(executor, sessions);
  }
  sessions.delete(sessionId);
  sessions.set(sessionId, { version, executorSessionId });
  if (sessions.size > MAX_REMEMBERED_SESSIONS) {
    const oldest = sessions.keys().next().value;
    if (oldest !== undefined) sessions.delete(oldest);
  }
  return version;
}

/**
 * An executor session for `sessionId` that starts from the thread's state,
 * whatever this process holds: a cell run again from the state it started
 * from must not see what its first, unfinished run did.
 */
export async function freshSession(executor: Executor, sessionId: string): Promise<string> {
  const sessions = held.get(executor);
  const current = sessions?.get(sessionId);
  sessions?.delete(sessionId);
  if (executor.forgetSession !== undefined) {
    await executor.forgetSession(current?.executorSessionId ?? sessionId);
    return sessionId;
  }
  return `${sessionId}@${randomUUID().slice(0, 8)}`;
}
