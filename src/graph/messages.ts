import {
  AIMessage,
  HumanMessage,
  type BaseMessage,
  type MessageContent,
} from "@langchain/core/messages";
import type { ObservationDetails } from "./observation-details.js";

/** The `additional_kwargs` key that marks messages written by the CodeAct nodes. */
export const CODEACT_MESSAGE_KEY = "codeact";
/** Its value on observations: messages the model reads as the result of its action. */
export const OBSERVATION_MARK = "observation";
/** Its value on the message that ends a turn whose budget was spent. */
export const STOPPED_MARK = "stopped";
/** The key holding the details of an observation ({@link ObservationDetails}). */
const DETAILS_KEY = "codeact_observation";




/**
 * Is `message` an observation written by the CodeAct nodes (the result of a
 * code action, a rejection, a validation error) rather than a user's words?
 *
 * Observations are `HumanMessage`s so that every chat model accepts them;
 * they carry `additional_kwargs.codeact === "observation"`, which chat model
 * integrations do not send to the provider.
 */
export function isObservation(message: BaseMessage | undefined): boolean {
  return message?.additional_kwargs?.[CODEACT_MESSAGE_KEY] === OBSERVATION_MARK;
}

/** The details of an observation, or undefined for any other message. */
export function observationDetails(
  message: BaseMessage | undefined
): ObservationDetails | undefined {
  if (!isObservation(message)) return undefined;
  const details = message?.additional_kwargs?.[DETAILS_KEY];
  return typeof details === "object" && details !== null
    ? (details as ObservationDetails)
    : undefined;
}

/** Builds an observation message with the given content. */
export function createObservation(
  content: MessageContent,
  details: ObservationDetails
): HumanMessage {
  return new HumanMessage({
    content,
    additional_kwargs: {
      [CODEACT_MESSAGE_KEY]: OBSERVATION_MARK,
      [DETAILS_KEY]: details,
    },
  });
}

/** The observation telling the model the user rejected its code. */
export function rejectionObservation(reason: string | undefined): HumanMessage {
  const why = reason?.trim() ? ` Reason: ${reason.trim()}` : "";
  return createObservation(
    `The user rejected your code; it did not run.${why}\nChange your approach, or answer without running code.`,
    { kind: "rejection" }
  );
}

/** The observation sending an invalid structured answer back to the model. */
/** The observation telling the model its code was in the language that does not run here. */
export function wrongLanguageObservation(language: "javascript" | "python", written: "javascript" | "python"): HumanMessage {
  const name = (lang: string) => (lang === "python" ? "Python" : "JavaScript");
  return createObservation(
    `Your code did not run: it is ${name(written)}, and only ${name(language)} runs here (\`\`\`${language} blocks). ` +
      `Write it in ${name(language)}, or give the final answer as plain text without a code block.`,
    { kind: "format_error" }
  );
}

export function formatErrorObservation(problem: string): HumanMessage {
  return createObservation(
    `Your final answer must contain JSON that matches the required schema, in a \`\`\`json block. ${problem}\nWrite the corrected final answer.`,
    { kind: "format_error" }
  );
}

/** The observation telling the model its reply could be read neither as code nor as an answer. */
export function replyFormatObservation(problem: string, language: "javascript" | "python"): HumanMessage {
  const fence = language === "python" ? "```python" : "```javascript";
  return createObservation(
    `Your reply could not be read: ${problem}\nTo act, write one ${fence} block; to finish, reply with the answer in plain text.`,
    { kind: "format_error" }
  );
}

/**
 * The message that ends a turn whose budget was spent: how many code
 * executions ran, why the turn stopped, and the last error, if any.
 */
export function stoppedMessage(options: {
  steps: number;
  reason: string;
  lastError?: { name: string; message: string } | undefined;
}): AIMessage {
  const executions = `${options.steps} code execution${options.steps === 1 ? "" : "s"}`;
  const lastError = options.lastError
    ? ` The last error was ${options.lastError.name}: ${options.lastError.message}`
    : "";
  return new AIMessage({
    content: `I stopped after ${executions} without a final answer (${options.reason}).${lastError}`,
    additional_kwargs: { [CODEACT_MESSAGE_KEY]: STOPPED_MARK },
  });
}

// The text and the details of an execution observation live in their own
// modules; they are re-exported here, where the observation API has always been.
export {
  detailsRichOutputs,
  executionDetails,
  MAX_DETAILS_CELL_RICH_CHARS,
  MAX_DETAILS_IMAGE_BASE64_CHARS,
  MAX_DETAILS_OUTPUT_CHARS,
  MAX_DETAILS_RICH_TEXT_CHARS,
  MAX_DETAILS_TOOL_CALLS,
  MAX_DETAILS_TOOL_JSON_CHARS,
  toolCallJson,
  type ObservationDetails,
  type ObservationKind,
  type ObservationRichOutput,
  type ObservationToolCall,
  type RecordedToolCalls,
} from "./observation-details.js";
export { executionObservationContent, formatExecutionResult, type ObservationContext } from "./observation-text.js";
