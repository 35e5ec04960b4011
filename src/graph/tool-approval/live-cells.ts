/**
 * Cells paused on a tool approval in this process, so a resume that comes
 * back here soon carries on the same running cell instead of re-running it.
 * Anything else — another process, a restart, a cell that hit its time
 * limit while it waited — finishes the cell from the record in state.
 */
import type { RunnableConfig } from "@langchain/core/runnables";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { ExecuteResult, Executor } from "../../executors/types.js";
import type { ToolCallLog } from "../tool-call-log.js";
import type { CellGate } from "./cell-gate.js";
import type { ToolApprovalState } from "./types.js";

/** What a paused cell reports to: the node run that currently owns it. */
export interface CellIO {
  config: RunnableConfig;
  writer: LangGraphRunnableConfig["writer"];
}

/** A cell running (or paused) in this process. */
export interface LiveCell {
  readonly cell: string;
  readonly executorSessionId: string;
  readonly gate: CellGate;
  readonly toolLog: ToolCallLog;
  readonly io: CellIO;
  readonly abort: AbortController;
  /** Pauses of the cell before this run of it started (a re-run continues the count). */
  readonly pausesBefore: number;
  /** The executor's run of the cell. */
  readonly result: Promise<ExecuteResult>;
  /** The executor's resume token for the session, once it told it. */
  resumeToken?: string;
  /** True once the run ended (done, failed, or timed out while it waited). */
  ended: boolean;
}

const cells = new WeakMap<Executor, Map<string, LiveCell>>();

/** Keeps a paused cell for the thread's session until it ends. */
export function keepLiveCell(executor: Executor, sessionId: string, cell: LiveCell): void {
  let bySession = cells.get(executor);
  if (bySession === undefined) {
    bySession = new Map();
    cells.set(executor, bySession);
  }
  bySession.set(sessionId, cell);
  const forget = () => {
    cell.ended = true;
    if (bySession.get(sessionId) === cell) bySession.delete(sessionId);
  };
  cell.result.then(forget, forget);
}

/**
 * The live cell to resume for `state`: the same cell at the same pause, still
 * running. Removes it from the registry (the resuming run owns it now).
 */
export function takeLiveCell(executor: Executor, sessionId: string, state: ToolApprovalState): LiveCell | undefined {
  const bySession = cells.get(executor);
  const cell = bySession?.get(sessionId);
  if (cell === undefined) return undefined;
  bySession?.delete(sessionId);
  if (!cell.ended && cell.cell === state.cell && cell.pausesBefore + cell.gate.pauses === state.pause) return cell;
  stopLiveCell(cell, "the thread moved on");
  return undefined;
}

/**
 * Stops a paused cell the thread will not resume (a new message, a rewind):
 * nothing of it runs on. True when there was one (its session is then
 * behind the thread's state).
 */
export function dropLiveCell(executor: Executor, sessionId: string): boolean {
  const bySession = cells.get(executor);
  const cell = bySession?.get(sessionId);
  if (cell === undefined) return false;
  bySession?.delete(sessionId);
  stopLiveCell(cell, "the thread moved on without answering its approval");
  return true;
}

function stopLiveCell(cell: LiveCell, why: string): void {
  cell.gate.abandon(`This cell was abandoned: ${why}.`);
  cell.abort.abort();
}
