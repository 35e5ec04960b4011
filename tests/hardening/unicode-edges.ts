import { tool } from "@langchain/core/tools";
import { z } from "zod";
/**
 * Unicode edge cases for the tool-bridge round trips: a lone high and a lone
 * low surrogate, right-to-left override and pop, an emoji outside the BMP, a
 * ZWJ family, a combining acute accent, and NUL.
 */
export const UNICODE_EDGES = "a\ud800b\udfffc \u202eRTL\u202c 😀 👨\u200d👩\u200d👧 e\u0301 \u0000nul";

/** A string as an all-ASCII Python literal (Python does not join `\ud83d\ude00` into one character: astral ones need `\U`). */
export function pythonLiteral(value: string): string {
  let literal = "";
  for (const char of value) {
    const codePoint = char.codePointAt(0) ?? 0;
    if (codePoint >= 0x20 && codePoint < 0x7f && char !== "\\" && char !== '"') literal += char;
    else if (codePoint > 0xffff) literal += `\\U${codePoint.toString(16).padStart(8, "0")}`;
    else literal += `\\u${codePoint.toString(16).padStart(4, "0")}`;
  }
  return `"${literal}"`;
}

/** A LangChain tool that returns its text and records every text it received. */
export function recordingEcho() {
  const received: string[] = [];
  const echo = tool(
    async ({ text }: { text: string }) => {
      received.push(text);
      return text;
    },
    { name: "echo", description: "Returns its text.", schema: z.object({ text: z.string() }) }
  );
  return { echo, received };
}
