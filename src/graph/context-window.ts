/**
 * Bounded context: what the model is sent of older observations. The last
 * `keepLast` observations go whole; older ones are shortened — output and
 * value to their head and tail with a marker, an error to its headline
 * (the traceback dropped), images to a note — so each step adds a bounded
 * amount to every later prompt instead of its whole output. The model's own
 * messages (its code) are sent whole. Graph state keeps every observation
 * whole: only the prompt is shortened.
 */
import { HumanMessage, type BaseMessage } from "@langchain/core/messages";
import { clip } from "../shared/clip.js";
import { messageText } from "../shared/message-text.js";
import { CODEACT_MESSAGE_KEY, isObservation, OBSERVATION_MARK, observationDetails } from "./messages.js";
import { errorHeadline } from "./observation-text.js";

/** See `CreateCodeActParams.contextWindow`. */
export interface ContextWindowOptions {
  /** Observations sent whole, counted from the newest. @defaultValue `3` */
  keepLast?: number;
  /** Longest output (and value) of an older observation, head and tail kept. @defaultValue `400` */
  maxOlderChars?: number;
}

export interface ResolvedContextWindow {
  keepLast: number;
  maxOlderChars: number;
}

export const DEFAULT_CONTEXT_WINDOW: ResolvedContextWindow = { keepLast: 3, maxOlderChars: 400 };

/** The options with defaults, checked; undefined when there is no window. */
export function resolveContextWindow(value: number | ContextWindowOptions | undefined, fail: (message: string) => never): ResolvedContextWindow | undefined {
  if (value === undefined) return undefined;
  const options = typeof value === "number" ? { keepLast: value } : value;
  if (typeof options !== "object" || options === null) fail("`contextWindow` must be a number (observations kept whole) or { keepLast, maxOlderChars }.");
  const keepLast = options.keepLast ?? DEFAULT_CONTEXT_WINDOW.keepLast;
  const maxOlderChars = options.maxOlderChars ?? DEFAULT_CONTEXT_WINDOW.maxOlderChars;
  if (!(Number.isInteger(keepLast) && keepLast >= 0)) fail(`\`contextWindow.keepLast\` must be a whole number of at least 0, got ${String(keepLast)}.`);
  if (!(Number.isInteger(maxOlderChars) && maxOlderChars >= 40)) fail(`\`contextWindow.maxOlderChars\` must be a whole number of at least 40, got ${String(maxOlderChars)}.`);
  return { keepLast, maxOlderChars };
}

/** The messages to send: observations older than the last `keepLast` shortened, the rest as they are. */
export function windowMessages(messages: readonly BaseMessage[], window: ResolvedContextWindow): BaseMessage[] {
  let seen = 0;
  const sent = [...messages];
  for (let index = sent.length - 1; index >= 0; index -= 1) {
    const message = sent[index];
    if (message === undefined || !isObservation(message)) continue;
    seen += 1;
    if (seen <= window.keepLast) continue;
    sent[index] = shortened(message, window.maxOlderChars);
  }
  return sent;
}

function shortened(message: BaseMessage, maxChars: number): BaseMessage {
  const details = observationDetails(message);
  const full = messageText(message.content);
  let text: string;
  if (details?.kind === "execution" && (details.output !== undefined || details.value !== undefined || details.error !== undefined)) {
    const sections: string[] = [];
    const output = details.output?.replace(/\s+$/, "") ?? "";
    if (output !== "") sections.push(`Output:\n${clip(output, maxChars)}`);
    if (details.value !== undefined) sections.push(`Value: ${clip(details.value, maxChars)}`);
    const images = (details.outputs ?? []).length;
    if (images > 0) sections.push(`[${images} rich output(s) displayed]`);
    if (details.error !== undefined) sections.push(errorHeadline(details.error, clip(details.error.message, maxChars)));
    if (sections.length === 0) sections.push("The code ran without output or value.");
    text = sections.join("\n\n");
  } else {
    text = clip(full, maxChars * 2);
  }
  if (text.length >= full.length && typeof message.content === "string") return message;
  return new HumanMessage({
    content: `[an older observation, shortened; the latest ones are whole]\n${text}`,
    additional_kwargs: { [CODEACT_MESSAGE_KEY]: OBSERVATION_MARK },
  });
}
