import { AIMessage } from "@langchain/core/messages";
import { RunnableLambda, type RunnableConfig } from "@langchain/core/runnables";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { ExecuteResult } from "../../executors/types.js";
import { createToolFunctions } from "../../tools/tool-functions.js";
import { OUTPUT_STREAM_TYPE } from "../constants.js";
import { LazyIsolatedVmExecutor } from "../default-executor.js";
import { extractCode, messageText } from "../extract-code.js";
import {
  createObservation,
  executionObservationContent,
  formatExecutionResult,
} from "../messages.js";
import { executorSessionId } from "../session-id.js";
import type { CodeActStateType, CodeActStateUpdate } from "../state.js";
import { addRunMetadata } from "../../tracing/run-metadata.js";
import {
  cellTraceMetadata,
  cellTraceOutputs,
  type CellTraceOutputs,
} from "../../tracing/trace-outputs.js";
import { advanceStepWindow, currentStep } from "../step-window.js";
import type { ExecuteNodeParams } from "../types.js";

/** Name of the child run each code cell gets in traces. */
export const CELL_RUN_NAME = "execute_code";

/** A chunk of live output on LangGraph's `custom` stream. */
export interface OutputStreamChunk {
  type: typeof OUTPUT_STREAM_TYPE;
  chunk: string;
}

/**
 * Creates the `execute` node: runs `state.code` in the executor's session for
 * this thread (`thread_id`, else `state.sessionId`, else a new id kept in
 * state), with the tools as host functions, restoring `state.variables` when
 * the session is new. Live output goes to the `custom` stream as
 * {@link OutputStreamChunk}s. Appends the observation and saves the session's
 * variables. Executor infrastructure errors (`ExecutorError`) are thrown: the
 * run fails and the thread can be resumed later.
 */
export function createExecuteNode(
  params: ExecuteNodeParams = {}
): (state: CodeActStateType, config: LangGraphRunnableConfig) => Promise<CodeActStateUpdate> {
  const executor = params.executor ?? new LazyIsolatedVmExecutor();
  const tools = params.tools ?? [];
  const includeImages = params.includeImagesInObservation ?? false;

  return async function execute(state, config) {
    const code = state.code;
    if (code === null || code.trim() === "") {
      throw new Error(
        "The execute node ran without a code action in state.code; route to it only when the model wrote code."
      );
    }
    const session = executorSessionId(config, state.sessionId);
    const sessionId = session.sessionId;
    const newSessionId = session.isNew ? sessionId : undefined;
    const writer = config.writer;

    // Each cell is a child run, so traces show its code and result and the
    // tool runs made from inside the code nest under it. The run records a
    // size-capped view of the result (rich outputs as references); the node
    // keeps the full result.
    let result: ExecuteResult | undefined;
    const cell = RunnableLambda.from(
      async (input: { code: string }, cellConfig?: RunnableConfig): Promise<CellTraceOutputs> => {
        const executed = await executor.execute({
          code: input.code,
          sessionId,
          tools: createToolFunctions(tools, {
            language: executor.language,
            config: cellConfig ?? config,
          }),
          ...(Object.keys(state.variables).length > 0 && { variables: state.variables }),
          ...(state.resumeToken !== null && { resumeToken: state.resumeToken }),
          ...(config.signal !== undefined && { signal: config.signal }),
          ...(writer !== undefined && {
            onOutput: (chunk: string) => {
              const event: OutputStreamChunk = { type: OUTPUT_STREAM_TYPE, chunk };
              writer(event);
            },
          }),
        });
        result = executed;
        await addRunMetadata(cellConfig, { ...cellTraceMetadata(executed) });
        return cellTraceOutputs(executed);
      }
    );
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
    if (result === undefined) throw new Error("The code cell ended without a result.");

    const text = formatExecutionResult(result, {
      ...editedCode(state, code, executor.language),
      lostVariables: state.unsavedVariables,
    });
    const observation = createObservation(
      executionObservationContent(text, result, includeImages),
      {
        kind: "execution",
        ...(result.error && {
          error: { name: result.error.name, message: result.error.message },
        }),
      }
    );
    return {
      messages: [observation],
      code,
      steps: state.steps + 1,
      variables: result.variables ?? state.variables,
      unsavedVariables: result.unsavedVariables ?? state.unsavedVariables,
      resumeToken: result.resumeToken ?? state.resumeToken,
      ...(newSessionId !== undefined && { sessionId: newSessionId }),
      stepWindow: advanceStepWindow(state.stepWindow, currentStep(config)),
    };
  };
}

/** When the code differs from the model's (a human edited it), the code that ran. */
function editedCode(
  state: CodeActStateType,
  code: string,
  language: "javascript" | "python"
): { editedCode?: string; fenceTag?: string } {
  const reply = [...state.messages].reverse().find((message) => AIMessage.isInstance(message));
  if (reply === undefined) return {};
  const written = extractCode(messageText(reply.content), language);
  return written === null || written.trim() === code.trim()
    ? {}
    : { editedCode: code, fenceTag: language };
}
