import {
  BaseChatModel,
  type BaseChatModelParams,
} from "@langchain/core/language_models/chat_models";
import {
  AIMessage,
  type BaseMessage,
  type MessageContent,
} from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { tool } from "@langchain/core/tools";
import { z } from "zod";

/**
 * A chat model for graph tests: answers with the scripted replies in order,
 * records every call's messages, and throws when the script runs out (so a
 * test never loops silently).
 */
export class ScriptedChatModel extends BaseChatModel {
  readonly calls: BaseMessage[][] = [];
  #replies: MessageContent[];

  constructor(replies: MessageContent[], fields: BaseChatModelParams = {}) {
    super(fields);
    this.#replies = replies;
  }

  _llmType(): string {
    return "scripted";
  }

  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const index = this.calls.length;
    this.calls.push(messages);
    const content = this.#replies[index];
    if (content === undefined) {
      throw new Error(`ScriptedChatModel: no reply scripted for call ${index + 1}`);
    }
    const message = new AIMessage({ content });
    return {
      generations: [
        { message, text: typeof content === "string" ? content : "" },
      ],
    };
  }
}

/** A fenced JavaScript code action. */
export const js = (code: string): string =>
  `I'll run some code.\n\`\`\`javascript\n${code}\n\`\`\``;

/** The text of a message's content. */
export function textOf(message: BaseMessage | undefined): string {
  const content = message?.content;
  if (typeof content === "string") return content;
  return (content ?? [])
    .map((block) => (block.type === "text" ? String(block.text) : ""))
    .join("");
}

export const addTool = tool(async ({ a, b }: { a: number; b: number }) => a + b, {
  name: "add",
  description: "Adds two numbers.",
  schema: z.object({ a: z.number(), b: z.number() }),
});

export const multiplyTool = tool(
  async ({ a, b }: { a: number; b: number }) => a * b,
  {
    name: "multiply",
    description: "Multiplies two numbers.",
    schema: z.object({ a: z.number(), b: z.number() }),
  }
);
