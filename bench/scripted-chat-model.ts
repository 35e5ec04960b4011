/**
 * A scripted chat model for benchmarks: reply `n` of a turn is `script[n]`,
 * where `n` counts the AI messages since the last human message (CodeAct
 * observations, sent as human messages, do not start a turn). It keeps no
 * state, so one instance serves any number of concurrent threads, and it
 * supports `bindTools` (ignored), so `createReactAgent` accepts it.
 */
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { isObservation } from "../src/graph/messages.js";

/** One scripted reply: text, and tool calls for tool-calling agents. */
export interface ScriptedReply {
  content: string;
  toolCalls?: { name: string; args: Record<string, unknown> }[];
}

export class ScriptedChatModel extends BaseChatModel {
  readonly #script: readonly ScriptedReply[];
  #callId = 0;

  constructor(script: readonly ScriptedReply[]) {
    super({});
    if (script.length === 0) throw new Error("ScriptedChatModel needs at least one reply.");
    this.#script = script;
  }

  _llmType(): string {
    return "scripted";
  }

  // Tools are part of the script already; binding changes nothing.
  override bindTools(): this {
    return this;
  }

  async _generate(
    messages: BaseMessage[],
    _options: this["ParsedCallOptions"],
    _runManager?: CallbackManagerForLLMRun
  ): Promise<ChatResult> {
    let replies = 0;
    for (let index = messages.length - 1; index >= 0; index -= 1) {
      const message = messages[index];
      if (HumanMessage.isInstance(message) && !isObservation(message)) break;
      if (AIMessage.isInstance(message)) replies += 1;
    }
    const reply = this.#script[Math.min(replies, this.#script.length - 1)]!;
    const message = new AIMessage({
      content: reply.content,
      tool_calls: (reply.toolCalls ?? []).map((call) => ({
        ...call,
        id: `call_${(this.#callId += 1)}`,
        type: "tool_call" as const,
      })),
    });
    return { generations: [{ text: reply.content, message }] };
  }
}
