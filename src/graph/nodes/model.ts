import { AIMessage, HumanMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import type { Runnable } from "@langchain/core/runnables";
import { toolCallingSystemMessage } from "../tool-calling-fallback.js";
import { awaitingCall } from "../tool-approval/types.js";
import { windowMessages } from "../context-window.js";
import type { RunnableConfig } from "@langchain/core/runnables";
import { messageText } from "../extract-code.js";
import { isObservation } from "../messages.js";
import { resolveCodeAct, type ResolvedCodeAct } from "../resolve.js";
import type { CodeActStateType, CodeActStateUpdate } from "../state.js";
import { advanceStepWindow, currentStep } from "../step-window.js";
import type { ModelNodeParams } from "../types.js";

/** A node function over {@link CodeActState}. */
export type CodeActNode = (
  state: CodeActStateType,
  config: RunnableConfig
) => Promise<CodeActStateUpdate>;

/**
 * Creates the `model` node: calls the model with the system prompt (rendered
 * once) and the conversation, and extracts the code action from the reply's
 * text. A turn starts when the message before the call is not an
 * observation; `steps` is reset then. Pass the same params object to the
 * other node factories so they share the executor, tools and prompt.
 */
export function createModelNode(params: ModelNodeParams | ResolvedCodeAct): CodeActNode {
  const resolved = resolveCodeAct(params, "createModelNode");
  const chatModel = resolved.params.model;
  if (!chatModel) throw new Error("createModelNode: `model` is required.");
  // The model with the tools bound, for a thread the toolCallingFallback switched to tool calls.
  let bound: Runnable<BaseMessage[], BaseMessage> | undefined;
  const withTools = (): Runnable<BaseMessage[], BaseMessage> => {
    if (bound === undefined) {
      if (typeof chatModel.bindTools !== "function") throw new Error("createModelNode: the model has no tool calling (bindTools) for the tool-calling fallback.");
      bound = chatModel.bindTools([...(resolved.params.tools ?? [])]) as Runnable<BaseMessage[], BaseMessage>;
    }
    return bound;
  };

  return async function model(state, config) {
    if (awaitingCall(state.toolApproval) !== undefined && AIMessage.isInstance(state.messages.at(-1))) {
      throw new Error(
        "The model node ran while a cell waits for a tool call's approval: with `approveToolCalls`, wire the edge after " +
          "`execute` with `afterExecute` from createCodeActNodes (it goes to `route`, which asks the human)."
      );
    }
    const toolCalling = state.actionMode === "tool_calling";
    const system = toolCalling ? toolCallingSystemMessage(resolved.params.prompt, resolved.maxSteps) : await resolved.systemMessage();
    const last = state.messages.at(-1);
    const newTurn = !isObservation(last) && !ToolMessage.isInstance(last);
    // Sent to the model with this call only (never stored): code written
    // once the budget is spent would be dropped unseen, so say so in time.
    const budget = newTurn || toolCalling ? undefined : budgetNotice(resolved.maxSteps - state.steps);
    const history = resolved.contextWindow === undefined ? state.messages : windowMessages(state.messages, resolved.contextWindow);
    const input = budget === undefined ? [system, ...history] : [system, ...history, new HumanMessage(budget)];
    const reply: BaseMessage = await (toolCalling ? withTools() : chatModel).invoke(input, config);
    const reading = toolCalling ? undefined : resolved.readReply(messageText(reply.content));
    const code = reading?.kind === "code" ? reading.code : null;
    const window = advanceStepWindow(state.stepWindow, currentStep(config));
    // Only the channels that change: each write is stored by checkpointers.
    return {
      messages: [reply],
      ...(code !== state.code && { code }),
      ...(newTurn && state.steps !== 0 && { steps: 0 }),
      // A cell left paused by an earlier turn is not carried on (the execute node stops it).
      ...(state.toolApproval !== null && { toolApproval: null }),
      ...(window !== state.stepWindow && { stepWindow: window }),
    };
  };
}

/** What the model is told when its budget of code executions is nearly or fully spent. */
export function budgetNotice(remaining: number): string | undefined {
  if (remaining === 1) return "Note: one more code block can run for this request; after it you must reply with the final answer.";
  if (remaining <= 0) return "Note: no more code can run for this request. Reply now with the final answer in plain text; a code block would not run.";
  return undefined;
}
