import type { MessageContent } from "@langchain/core/messages";

/**
 * The text of a message's content: a string as it is, or the `text` of each
 * text block joined with a newline (so a fence at the end of one block and a
 * tag-like word at the start of the next never merge). Other blocks (images,
 * tool calls, reasoning) are ignored.
 */
export function messageText(content: MessageContent): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  const texts: string[] = [];
  for (const block of content as readonly unknown[]) {
    if (typeof block === "string") texts.push(block);
    else if (
      typeof block === "object" &&
      block !== null &&
      (block as { type?: unknown }).type === "text" &&
      typeof (block as { text?: unknown }).text === "string"
    ) {
      texts.push((block as { text: string }).text);
    }
  }
  return texts.join("\n");
}
