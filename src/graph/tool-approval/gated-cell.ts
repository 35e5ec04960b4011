/**
 * Runs a cell whose tool calls may wait for a human: starts it behind a
 * {@link CellGate}, carries on a cell paused in this process, or re-runs a
 * paused cell from the state it started from with its calls answered from
 * the record. Ends when the cell ends or pauses.
 */
import { randomUUID } from "node:crypto";
import { RunnableLambda, type RunnableConfig } from "@langchain/core/runnables";
import type { StructuredToolInterface } from "@langchain/core/tools";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { ExecuteResult, Executor } from "../../executors/types.js";
import { hasCallbacks } from "../../shared/has-callbacks.js";
import { freshSession, sessionForState } from "../session-versions.js";
import type { CodeActStateType } from "../state.js";
import { ToolCallLog } from "../tool-call-log.js";
import { CellGate, TOOL_REPLAY_ERROR } from "./cell-gate.js";
import { dropLiveCell, keepLiveCell, takeLiveCell, type CellIO, type LiveCell } from "./live-cells.js";
import type { RecordedToolCall, ToolApprovalDecision, ToolApprovalState } from "./types.js";
import type { ToolCallGate } from "../../tools/tool-functions.js";

/** Name of the child run of a cell that records a human's answer to a tool call. */
export const TOOL_APPROVAL_RUN_NAME = "tool_approval";

/** How a gated cell's run of the node ended. */
export type GatedCellEnd =
  | { kind: "done"; result: ExecuteResult; toolLog: ToolCallLog; executorSessionId: string }
  | { kind: "paused"; approval: ToolApprovalState; executorSessionId: string; resumeToken?: string };

/** What {@link GatedCellRunner} needs from the execute node. */
export interface GatedCellContext {
  executor: Executor;
  /** The thread's session id (see executorSessionId). */
  sessionId: string;
  code: string;
  state: CodeActStateType;
  needsApproval: (tool: StructuredToolInterface, input: unknown) => boolean;
  /** Starts the executor's run of the cell with these host functions. */
  start: (run: {
    executorSessionId: string;
    /** Passes every tool call; the functions must read their config from `io` at each call. */
    gate: ToolCallGate;
    io: CellIO;
    toolLog: ToolCallLog;
    signal: AbortSignal;
    /** Receives the executor's resume token early (see ExecuteRequest.onResumeToken). */
    onResumeToken: (token: string) => void;
    /** The cell is re-run: the session must start from the state's variables, wherever it lives. */
    startOver: boolean;
  }) => Promise<ExecuteResult>;
}

/**
 * Prepares the cell's run for this node execution: which executor session
 * it runs in, and whether it carries on a live cell. Then {@link run}, inside
 * the cell's traced run, starts or resumes it.
 */
export class GatedCellRunner {
  readonly executorSessionId: string;
  readonly #context: GatedCellContext;
  readonly #live: LiveCell | undefined;
  readonly #rerun: ToolApprovalState | undefined;
  readonly #startOver: boolean;

  private constructor(context: GatedCellContext, executorSessionId: string, live: LiveCell | undefined, rerun: ToolApprovalState | undefined, startOver: boolean) {
    this.#context = context;
    this.executorSessionId = executorSessionId;
    this.#live = live;
    this.#rerun = rerun;
    this.#startOver = startOver;
  }

  static async prepare(context: GatedCellContext): Promise<GatedCellRunner> {
    const { executor, sessionId, state, code } = context;
    const approval = state.toolApproval;
    const continuing =
      approval !== null && approval.code === code && approval.calls.some((call) => call.decision !== undefined && call.outcome === undefined);
    const live = continuing ? takeLiveCell(executor, sessionId, approval) : undefined;
    if (live !== undefined) return new GatedCellRunner(context, live.executorSessionId, live, undefined, false);
    // A paused cell this thread left behind never runs on, and its session
    // holds what its unfinished run did: start from the state instead.
    const dropped = dropLiveCell(executor, sessionId);
    if (continuing || dropped) {
      return new GatedCellRunner(context, await freshSession(executor, sessionId), undefined, continuing ? approval : undefined, true);
    }
    const { executorSessionId } = await sessionForState(executor, sessionId, state.sessionVersion);
    return new GatedCellRunner(context, executorSessionId, undefined, undefined, false);
  }

  /** Starts or resumes the cell under `cellConfig`; resolves when it ends or pauses. */
  async run(cellConfig: RunnableConfig, writer: LangGraphRunnableConfig["writer"]): Promise<GatedCellEnd> {
    const cell = this.#live ?? this.#start(cellConfig, writer);
    cell.io.config = cellConfig;
    cell.io.writer = writer;
    cell.toolLog.writer = writer;
    // The node's signal stops the cell while this run owns it; a paused cell outlives its run.
    const signal = cellConfig.signal;
    const onAbort = () => cell.abort.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) cell.abort.abort();
    try {
      if (this.#live !== undefined) this.#live.gate.decide(this.#context.state.toolApproval?.calls ?? []);
      const end = await Promise.race([
        cell.result.then((result) => ({ result })),
        cell.gate.paused().then(() => undefined),
      ]);
      if (end === undefined) {
        keepLiveCell(this.#context.executor, this.#context.sessionId, cell);
        return {
          kind: "paused",
          executorSessionId: cell.executorSessionId,
          ...(cell.resumeToken !== undefined && { resumeToken: cell.resumeToken }),
          approval: {
            cell: cell.cell,
            code: this.#context.code,
            pause: cell.pausesBefore + cell.gate.pauses,
            calls: structuredClone(cell.gate.calls),
          },
        };
      }
      return { kind: "done", result: withReplayError(end.result, cell.gate), toolLog: cell.toolLog, executorSessionId: cell.executorSessionId };
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  #start(cellConfig: RunnableConfig, writer: LangGraphRunnableConfig["writer"]): LiveCell {
    const rerun = this.#rerun;
    const io: CellIO = { config: cellConfig, writer };
    const abort = new AbortController();
    const gate = new CellGate({
      needsApproval: this.#context.needsApproval,
      ...(rerun !== undefined && { record: rerun.calls }),
      onReplayMismatch: () => abort.abort(),
      onDecision: (call, decision) => traceDecision(io.config, call, decision),
    });
    const toolLog = new ToolCallLog(writer);
    const token: { value?: string } = {};
    let live: LiveCell | undefined;
    const result = this.#context.start({
      onResumeToken: (value) => {
        token.value = value;
        if (live !== undefined) live.resumeToken = value;
      },
      executorSessionId: this.executorSessionId,
      gate,
      io,
      toolLog,
      signal: abort.signal,
      startOver: this.#startOver,
    });
    // Nobody may be waiting when a paused cell ends (time limit, abandoned): never an unhandled rejection.
    result.catch(() => undefined);
    live = {
      cell: rerun?.cell ?? randomUUID(),
      executorSessionId: this.executorSessionId,
      gate,
      toolLog,
      io,
      abort,
      pausesBefore: rerun?.pause ?? 0,
      result,
      ended: false,
      ...(token.value !== undefined && { resumeToken: token.value }),
    };
    return live;
  }

}

/** The result of a re-run whose calls differed from the record: the model is told why it stopped. */
function withReplayError(result: ExecuteResult, gate: CellGate): ExecuteResult {
  if (gate.mismatch !== undefined && (result.error === undefined || result.error.name === "AbortError" || result.error.name === TOOL_REPLAY_ERROR)) {
    return { ...result, error: { name: TOOL_REPLAY_ERROR, message: gate.mismatch } };
  }
  if (gate.unreplayed > 0 && result.error === undefined) {
    return {
      ...result,
      error: {
        name: TOOL_REPLAY_ERROR,
        message:
          `This cell was run again to finish it after its approval, and it ended without making ${gate.unreplayed} of ` +
          "the tool calls its first run made (those ran once and were not repeated). The code is not deterministic; " +
          "check what was done before going on.",
      },
    };
  }
  return result;
}

/** A child run of the cell showing the human's answer, before the tool runs (only when traced). */
async function traceDecision(config: RunnableConfig, call: RecordedToolCall, decision: ToolApprovalDecision): Promise<void> {
  if (!hasCallbacks(config)) return;
  await RunnableLambda.from(async () => ({ decision })).invoke(
    { tool: call.tool, args: call.args },
    { ...config, runName: TOOL_APPROVAL_RUN_NAME, metadata: { ...config.metadata, codeact_tool: call.tool, codeact_decision: decision.action } }
  );
}
