import { SystemMessage, type BaseMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import { toJsonSchema } from "@langchain/core/utils/json_schema";
import { buildSystemPrompt } from "../../prompts/index.js";
import { usesToolSearch } from "../../tools/tool-search.js";
import { executorDescription, LazyIsolatedVmExecutor } from "../default-executor.js";
import { DEFAULT_MAX_STEPS } from "../constants.js";
import { extractCode, messageText } from "../extract-code.js";
import { isObservation } from "../messages.js";
import type { CodeActStateType, CodeActStateUpdate } from "../state.js";
import { advanceStepWindow, currentStep } from "../step-window.js";
import type { ModelNodeParams } from "../types.js";

/** A node function over {@link CodeActState}. */
export type CodeActNode = (
  state: CodeActStateType,
  config: RunnableConfig
) => Promise<CodeActStateUpdate>;

/**
 * Creates the `model` node: renders the system prompt (once per node), calls
 * the model with it and the conversation, and extracts the code action from
 * the reply's text. With `lazyToolsThreshold`, the prompt declares only the
 * tool search function; the execute node then needs `withToolSearch(tools)`. A turn starts when the message before the call is not an
 * observation; `steps` is reset then.
 */
export function createModelNode(params: ModelNodeParams): CodeActNode {
  if (!params.model) throw new Error("createModelNode: `model` is required.");
  const executor = params.executor ?? new LazyIsolatedVmExecutor();
  const tools = params.tools ?? [];
  // The message is built once too: models read their input messages, never change them.
  let systemPrompt: Promise<SystemMessage> | undefined;

  const renderSystemPrompt = (): Promise<SystemMessage> => {
    systemPrompt ??= (async () => {
      const description = await executorDescription(executor);
      const text = await buildSystemPrompt({
        language: executor.language,
        tools,
        maxSteps: params.maxSteps ?? DEFAULT_MAX_STEPS,
        toolDiscovery: usesToolSearch(tools.length, params.lazyToolsThreshold) ? "search" : "declare",
        ...(description !== undefined && { executorDescription: description }),
        ...(params.prompt !== undefined && { prompt: params.prompt }),
        ...(params.responseFormat !== undefined && {
          responseFormat: { jsonSchema: toJsonSchema(params.responseFormat) as object },
        }),
      });
      return new SystemMessage(text);
    })();
    // A failed render (a tool whose schema cannot be converted) is retried next call.
    systemPrompt.catch(() => {
      systemPrompt = undefined;
    });
    return systemPrompt;
  };

  return async function model(state, config) {
    const system = await renderSystemPrompt();
    const reply: BaseMessage = await params.model.invoke([system, ...state.messages], config);
    const code = extractCode(messageText(reply.content), executor.language);
    const newTurn = !isObservation(state.messages.at(-1));
    const window = advanceStepWindow(state.stepWindow, currentStep(config));
    // Only the channels that change: each write is stored by checkpointers.
    return {
      messages: [reply],
      ...(code !== state.code && { code }),
      ...(newTurn && state.steps !== 0 && { steps: 0 }),
      ...(window !== state.stepWindow && { stepWindow: window }),
    };
  };
}
