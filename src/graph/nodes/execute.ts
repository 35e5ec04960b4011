import { isDeepStrictEqual } from "node:util";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import { RunnableLambda, type RunnableConfig } from "@langchain/core/runnables";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { ExecuteRequest, ExecuteResult, HostFunction } from "../../executors/types.js";
import { createToolFunctions } from "../../tools/tool-functions.js";
import { OUTPUT_STREAM_TYPE, RICH_OUTPUT_STREAM_TYPE } from "../constants.js";
import { resolveCodeAct, type ResolvedCodeAct } from "../resolve.js";
import { messageText } from "../extract-code.js";
import type { ReplyReading } from "../reply-format.js";
import {
  createObservation,
  executionDetails,
  executionObservationContent,
  formatExecutionResult,
  type ObservationRichOutput,
} from "../messages.js";
import { executorSessionId } from "../session-id.js";
import { recordSessionVersion, sessionForState } from "../session-versions.js";
import { hasCallbacks } from "../../shared/has-callbacks.js";
import { GatedCellRunner, type GatedCellEnd } from "../tool-approval/gated-cell.js";
import { runToolCalls } from "../tool-calling-fallback.js";
import { awaitingCall } from "../tool-approval/types.js";
import type { CodeActStateType, CodeActStateUpdate } from "../state.js";
import { addRunMetadata } from "../../tracing/run-metadata.js";
import { cellTraceMetadata, cellTraceOutputs } from "../../tracing/trace-outputs.js";
import { advanceStepWindow, currentStep } from "../step-window.js";
import { ToolCallLog } from "../tool-call-log.js";

export type { ToolCallStreamChunk } from "../tool-call-log.js";
import type { ExecuteNodeParams } from "../types.js";

/** Name of the child run each code cell gets in traces. */
export const CELL_RUN_NAME = "execute_code";

/** A chunk of live output on LangGraph's `custom` stream. */
export interface OutputStreamChunk {
  type: typeof OUTPUT_STREAM_TYPE;
  chunk: string;
}


/**
 * A rich output (image, HTML, SVG, JSON) of a cell on LangGraph's `custom`
 * stream, capped like the observation's details. Sent when the cell ends:
 * executors return rich outputs with the result.
 */
export interface RichOutputStreamChunk {
  type: typeof RICH_OUTPUT_STREAM_TYPE;
  /** Position of the output in its cell, from 0. */
  index: number;
  output: ObservationRichOutput;
}

/**
 * Creates the `execute` node: runs `state.code` in the executor's session for
 * this thread (`thread_id`, else `state.sessionId`, else a new id kept in
 * state), with the tools as host functions, restoring `state.variables` when
 * the session is new. Live output goes to the `custom` stream as
 * {@link OutputStreamChunk}s, tool calls as {@link ToolCallStreamChunk}s and
 * rich outputs as {@link RichOutputStreamChunk}s. Appends the observation
 * (its details carry the structured result, see `ObservationDetails`) and saves the session's
 * variables. Executor infrastructure errors (`ExecutorError`) are thrown: the
 * run fails and the thread can be resumed later.
 */
export function createExecuteNode(
  params: ExecuteNodeParams | ResolvedCodeAct = {}
): (state: CodeActStateType, config: LangGraphRunnableConfig) => Promise<CodeActStateUpdate> {
  const resolved = resolveCodeAct(params, "createExecuteNode");
  const { executor, includeImagesInObservation: includeImages } = resolved;
  const tools = resolved.codeTools;

  return async function execute(state, config) {
    if (state.actionMode === "tool_calling") {
      // A thread the toolCallingFallback switched: the reply's tool calls run as a tool node would run them.
      const window = advanceStepWindow(state.stepWindow, currentStep(config));
      return {
        messages: await runToolCalls(state.messages.at(-1), resolved.params.tools ?? [], config),
        steps: state.steps + 1,
        ...(window !== state.stepWindow && { stepWindow: window }),
      };
    }
    const code = state.code;
    if (code === null || code.trim() === "") {
      throw new Error(
        "The execute node ran without a code action in state.code; route to it only when the model wrote code."
      );
    }
    const session = executorSessionId(config, state.sessionId);
    const newSessionId = session.isNew ? session.sessionId : undefined;
    const writer = config.writer;
    const request = (
      sessionId: string,
      functions: Record<string, HostFunction>,
      onOutput: ((chunk: string) => void) | undefined,
      signal: AbortSignal | undefined,
      startOver = false,
      onResumeToken?: (token: string) => void
    ): ExecuteRequest => ({
      code,
      sessionId,
      tools: functions,
      ...(Object.keys(state.variables).length > 0 && { variables: state.variables }),
      ...(state.definitions !== null && { definitions: state.definitions }),
      ...(state.resumeToken !== null && { resumeToken: state.resumeToken }),
      ...(signal !== undefined && { signal }),
      ...(onOutput !== undefined && { onOutput }),
      ...(startOver && { startOver }),
      ...(onResumeToken !== undefined && { onResumeToken }),
    });

    let ended: { result: ExecuteResult; toolLog: ToolCallLog; sessionId: string };
    if (resolved.needsToolApproval === undefined) {
      // A live session older than the thread's state is rebuilt from it first.
      const { executorSessionId: sessionId } = await sessionForState(executor, session.sessionId, state.sessionVersion);
      const toolLog = new ToolCallLog(writer);
      const result = await inCellRun(config, code, sessionId, (cellConfig) =>
        executor.execute(
          request(
            sessionId,
            toolLog.wrap(createToolFunctions(tools, { language: executor.language, config: cellConfig })),
            writer === undefined ? undefined : (chunk) => writer({ type: OUTPUT_STREAM_TYPE, chunk } satisfies OutputStreamChunk),
            config.signal
          )
        ), cellTraceOutputs, cellTraceMetadata);
      ended = { result, toolLog, sessionId };
    } else {
      const runner = await GatedCellRunner.prepare({
        executor,
        sessionId: session.sessionId,
        code,
        state,
        needsApproval: resolved.needsToolApproval,
        start: ({ executorSessionId, gate, io, toolLog, signal, startOver, onResumeToken }) =>
          executor.execute(
            request(
              executorSessionId,
              toolLog.wrap(createToolFunctions(tools, { language: executor.language, config: () => io.config, gate })),
              writer === undefined ? undefined : (chunk) => io.writer?.({ type: OUTPUT_STREAM_TYPE, chunk } satisfies OutputStreamChunk),
              signal,
              startOver,
              onResumeToken
            )
          ),
      });
      const end = await inCellRun<GatedCellEnd>(
        config,
        code,
        runner.executorSessionId,
        (cellConfig) => runner.run(cellConfig, writer),
        (outcome) => (outcome.kind === "done" ? cellTraceOutputs(outcome.result) : { paused: awaitingCall(outcome.approval)?.call ?? null }),
        (outcome) => (outcome.kind === "done" ? cellTraceMetadata(outcome.result) : { codeact_paused: true })
      );
      if (end.kind === "paused") {
        // No observation yet: `route` asks the human, then this node carries the cell on.
        const window = advanceStepWindow(state.stepWindow, currentStep(config));
        return {
          toolApproval: end.approval,
          // Whoever finishes the cell must find the kernel this run left waiting in it.
          ...(end.resumeToken !== undefined && end.resumeToken !== state.resumeToken && { resumeToken: end.resumeToken }),
          ...(newSessionId !== undefined && { sessionId: newSessionId }),
          ...(window !== state.stepWindow && { stepWindow: window }),
        };
      }
      ended = { result: end.result, toolLog: end.toolLog, sessionId: end.executorSessionId };
    }
    const { toolLog, sessionId } = ended;
    let result = ended.result;
    const toolCalls = toolLog.close();
    // Images tools returned (MCP image content) are shown like images the code displayed.
    if (toolLog.images.length > 0) result = { ...result, outputs: [...result.outputs, ...toolLog.images] };
    const details = executionDetails(result, toolCalls);
    if (writer !== undefined) {
      details.outputs?.forEach((output, index) => {
        const event: RichOutputStreamChunk = { type: RICH_OUTPUT_STREAM_TYPE, index, output };
        writer(event);
      });
    }

    const text = formatExecutionResult(result, {
      ...editedCode(state, code, executor.language, resolved.readReply),
      lostVariables: state.unsavedVariables,
    });
    const observation = createObservation(
      executionObservationContent(text, result, includeImages),
      details
    );
    // Only what changed: checkpointers store every channel a node writes,
    // and the variable snapshot can be the largest value in the thread.
    const window = advanceStepWindow(state.stepWindow, currentStep(config));
    return {
      messages: [observation],
      steps: state.steps + 1,
      sessionVersion: recordSessionVersion(executor, session.sessionId, sessionId),
      ...changed("variables", state.variables, result.variables),
      ...changed("unsavedVariables", state.unsavedVariables, result.unsavedVariables),
      // With no snapshot this time (variables absent), the saved definitions stay as they are.
      ...changed("definitions", state.definitions, result.variables === undefined ? undefined : (result.definitions ?? null)),
      ...changed("resumeToken", state.resumeToken, result.resumeToken),
      ...(newSessionId !== undefined && { sessionId: newSessionId }),
      ...(window !== state.stepWindow && { stepWindow: window }),
      ...(state.toolApproval !== null && { toolApproval: null }),
    };
  };

  /**
   * Runs `body` as the cell's child run, so traces show its code and result
   * and the tool runs made from inside the code nest under it. The run
   * records a size-capped view of the result (rich outputs as references);
   * the node keeps the full result. With no callbacks nobody could see that
   * run, so the cell runs directly: a child runnable costs as much as a node.
   */
  async function inCellRun<T>(
    config: LangGraphRunnableConfig,
    code: string,
    sessionId: string,
    body: (cellConfig: RunnableConfig) => Promise<T>,
    outputs: (value: T) => object,
    metadata: (value: T) => object
  ): Promise<T> {
    if (!hasCallbacks(config)) return body(config);
    let value: { v: T } | undefined;
    const cell = RunnableLambda.from(async (_input: { code: string }, cellConfig?: RunnableConfig) => {
      const produced = await body(cellConfig ?? config);
      value = { v: produced };
      await addRunMetadata(cellConfig, { ...metadata(produced) });
      return outputs(produced);
    });
    await cell.invoke(
      { code },
      {
        ...config,
        runName: CELL_RUN_NAME,
        metadata: {
          ...config.metadata,
          codeact_executor: executor.name,
          codeact_language: executor.language,
          codeact_session: sessionId,
        },
      }
    );
    if (value === undefined) throw new Error("The code cell ended without a result.");
    return value.v;
  }
}

/** When the code differs from the model's (a human edited it), the code that ran. */
function editedCode(
  state: CodeActStateType,
  code: string,
  language: "javascript" | "python",
  readReply: (text: string) => ReplyReading
): { editedCode?: string; fenceTag?: string } {
  let reply: BaseMessage | undefined;
  for (let index = state.messages.length - 1; index >= 0 && reply === undefined; index -= 1) {
    const message = state.messages[index];
    if (AIMessage.isInstance(message)) reply = message;
  }
  if (reply === undefined) return {};
  const reading = readReply(messageText(reply.content));
  const written = reading.kind === "code" ? reading.code : null;
  return written === null || written.trim() === code.trim()
    ? {}
    : { editedCode: code, fenceTag: language };
}


/**
 * `{ [key]: next }` when the executor reported a value that differs from the
 * one in state, else nothing. Snapshots are JSON, so a structural comparison
 * is exact; it costs less than storing the snapshot again.
 */
function changed<K extends string, T>(
  key: K,
  current: T,
  next: T | undefined
): { [P in K]?: T } {
  if (next === undefined || next === current || isDeepStrictEqual(next, current)) return {};
  return { [key]: next } as { [P in K]?: T };
}
