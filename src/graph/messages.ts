import {
  AIMessage,
  HumanMessage,
  type BaseMessage,
  type MessageContent,
} from "@langchain/core/messages";
import type { ExecuteResult, ExecutionError } from "../executors/types.js";

/** The `additional_kwargs` key that marks messages written by the CodeAct nodes. */
export const CODEACT_MESSAGE_KEY = "codeact";
/** Its value on observations: messages the model reads as the result of its action. */
export const OBSERVATION_MARK = "observation";
/** Its value on the message that ends a turn whose budget was spent. */
export const STOPPED_MARK = "stopped";
/** The key holding the details of an observation ({@link ObservationDetails}). */
const DETAILS_KEY = "codeact_observation";

/** Longest text shown for one non-image rich output (HTML, JSON). */
const MAX_RICH_TEXT_CHARS = 2_000;

/** What an observation reports on. */
export type ObservationKind = "execution" | "rejection" | "format_error";

/** Machine-readable details kept next to an observation's text. */
export interface ObservationDetails {
  kind: ObservationKind;
  /** The error of the cell, for `execution` observations of failed code. */
  error?: { name: string; message: string };
}

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

/** Context the execute node adds to a result when it formats it. */
export interface ObservationContext {
  /** The code that ran, when it differs from what the model wrote (an edit). */
  editedCode?: string;
  /** The language's fence tag, for showing edited code. */
  fenceTag?: string;
  /** Globals of the previous session that the executor could not save. */
  lostVariables?: readonly string[];
}

/**
 * The text of an execution observation: compact sections, only those that
 * have something to say, because the model reads every observation of the
 * conversation on each call.
 */
export function formatExecutionResult(
  result: ExecuteResult,
  context: ObservationContext = {}
): string {
  const sections: string[] = [];
  if (context.editedCode !== undefined) {
    sections.push(
      `The user edited your code before it ran. This is what ran:\n\`\`\`${context.fenceTag ?? ""}\n${context.editedCode}\n\`\`\``
    );
  }
  if (result.sessionNotice) sections.push(`Session: ${result.sessionNotice}`);
  if (result.sessionNotice && context.lostVariables?.length) {
    sections.push(
      `Not restored (they could not be saved): ${context.lostVariables.join(", ")}. Define them again if you need them.`
    );
  }
  const output = result.output.replace(/\s+$/, "");
  if (output !== "") {
    const note = result.truncated ? " (truncated)" : "";
    sections.push(`Output${note}:\n${output}`);
  }
  if (result.value !== undefined) sections.push(`Value: ${result.value}`);
  for (const rich of result.outputs) {
    if (rich.mimeType.startsWith("image/")) {
      sections.push(`[${rich.mimeType} displayed${rich.text ? `: ${rich.text}` : ""}]`);
    } else {
      const text = clip(rich.text ?? rich.data, MAX_RICH_TEXT_CHARS);
      sections.push(`Displayed ${rich.mimeType}:\n${text}`);
    }
  }
  if (result.error) sections.push(formatError(result.error));
  if (sections.length === 0 || (sections.length === 1 && context.editedCode)) {
    sections.push("The code ran without output or value.");
  }
  return sections.join("\n\n");
}

function formatError(error: ExecutionError): string {
  const headline = `Error: ${error.name}: ${error.message}`;
  const traceback = error.traceback?.replace(/\s+$/, "");
  if (!traceback) return headline;
  // A JavaScript stack repeats "Name: message" on its first line.
  const body = traceback.startsWith(`${error.name}: ${error.message}`)
    ? traceback.slice(`${error.name}: ${error.message}`.length).replace(/^\n/, "")
    : traceback;
  return body === "" ? headline : `${headline}\nTraceback:\n${body}`;
}

function clip(text: string, maxChars: number): string {
  return text.length <= maxChars
    ? text
    : `${text.slice(0, maxChars)}\n[... ${text.length - maxChars} more characters]`;
}

/**
 * The content of an execution observation: the text, followed by the images
 * as `image_url` data-URL blocks when `includeImages` is set.
 */
export function executionObservationContent(
  text: string,
  result: ExecuteResult,
  includeImages: boolean
): MessageContent {
  const images = includeImages
    ? result.outputs.filter(
        (rich) => rich.mimeType.startsWith("image/") && rich.mimeType !== "image/svg+xml"
      )
    : [];
  if (images.length === 0) return text;
  return [
    { type: "text", text },
    ...images.map((image) => ({
      type: "image_url",
      image_url: { url: `data:${image.mimeType};base64,${image.data}` },
    })),
  ];
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
export function formatErrorObservation(problem: string): HumanMessage {
  return createObservation(
    `Your final answer must contain JSON that matches the required schema, in a \`\`\`json block. ${problem}\nWrite the corrected final answer.`,
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
