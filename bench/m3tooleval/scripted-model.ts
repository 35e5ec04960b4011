import {
  BaseChatModel,
  type BaseChatModelParams,
} from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import type { CodeLanguage } from "../../src/executors/types.js";
import { isObservation, messageText } from "../../src/index.js";

/** Parameters of {@link ScriptedChatModel}. */
export interface ScriptedChatModelParams extends BaseChatModelParams {
  /** The code action to send for the task. */
  code: string;
  /** Decides the code fence's tag. */
  language: CodeLanguage;
}

/**
 * A chat model for the oracle runs: after a user message it replies with the
 * task's reference code; after an observation it answers with what the code
 * printed (`Answer: <output>`), following the benchmark's answer convention.
 */
export class ScriptedChatModel extends BaseChatModel {
  readonly #code: string;
  readonly #language: CodeLanguage;

  constructor(params: ScriptedChatModelParams) {
    super(params);
    this.#code = params.code;
    this.#language = params.language;
  }

  _llmType(): string {
    return "m3tooleval-scripted";
  }

  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const text = this.#reply(messages);
    return { generations: [{ text, message: new AIMessage(text) }] };
  }

  #reply(messages: BaseMessage[]): string {
    const last = messages.at(-1);
    if (!isObservation(last)) {
      return `I will compute it with the tools.\n\`\`\`${this.#language}\n${this.#code}\n\`\`\``;
    }
    return `Answer: ${printedOutput(messageText(last?.content ?? ""))}`;
  }
}

/** The printed output in an observation (its `Output:` section), else the whole text. */
export function printedOutput(observation: string): string {
  const match = /^Output(?: \(truncated\))?:\n([\s\S]*?)(?:\n\n(?:Value:|Error:|Displayed |\[)|$)/m.exec(observation);
  return (match?.[1] ?? observation).trim();
}
