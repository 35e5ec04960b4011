/**
 * The text the model reads for a cell's result: compact sections, the
 * session change rendered once, images as content blocks when asked.
 */
import type { MessageContent } from "@langchain/core/messages";
import type { ExecuteResult, ExecutionError } from "../executors/types.js";
import { sessionNoticeText } from "../executors/session-change.js";
import { clip } from "../shared/clip.js";
import { isBase64Image } from "../shared/mime.js";

/** Longest text the model reads for one non-image rich output (HTML, JSON). */
const MAX_OBSERVATION_RICH_TEXT_CHARS = 2_000;
/** A session notice longer than this (thousands of variable names) is clipped. */
const MAX_SESSION_NOTICE_CHARS = 4_000;

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
  const notice = sessionNoticeText(result);
  if (notice) sections.push(`Session: ${clip(notice, MAX_SESSION_NOTICE_CHARS)}`);
  // Names the executor already reported lost are not named twice.
  const alreadyNamed = new Set(result.sessionChange?.lost ?? []);
  const unsaved = (context.lostVariables ?? []).filter((name) => !alreadyNamed.has(name));
  if (notice && unsaved.length > 0) {
    sections.push(
      `Not restored (only data, top-level functions and classes, and instances of those classes are saved): ${clip(unsaved.join(", "), MAX_SESSION_NOTICE_CHARS)}. Define them again if you need them.`
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
      const text = clip(rich.text ?? rich.data, MAX_OBSERVATION_RICH_TEXT_CHARS);
      sections.push(`Displayed ${rich.mimeType}:\n${text}`);
    }
  }
  if (result.error) sections.push(formatError(result.error));
  if (sections.length === 0 || (sections.length === 1 && context.editedCode)) {
    sections.push("The code ran without output or value.");
  }
  return sections.join("\n\n");
}

/**
 * An error's first line in an observation. A plain JavaScript Error reads as
 * it prints ("Error: boom"), not "Error: Error: boom".
 */
export function errorHeadline(error: Pick<ExecutionError, "name" | "message">, message = error.message): string {
  return error.name === "Error" ? `Error: ${message}` : `Error: ${error.name}: ${message}`;
}

function formatError(error: ExecutionError): string {
  const headline = errorHeadline(error);
  const traceback = error.traceback?.replace(/\s+$/, "");
  if (!traceback) return headline;
  // A JavaScript stack repeats "Name: message" on its first line.
  const body = traceback.startsWith(`${error.name}: ${error.message}`)
    ? traceback.slice(`${error.name}: ${error.message}`.length).replace(/^\n/, "")
    : traceback;
  return body === "" ? headline : `${headline}\nTraceback:\n${body}`;
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
  const images = includeImages ? result.outputs.filter((rich) => isBase64Image(rich.mimeType)) : [];
  if (images.length === 0) return text;
  return [
    { type: "text", text },
    ...images.map((image) => ({
      type: "image_url",
      image_url: { url: `data:${image.mimeType};base64,${image.data}` },
    })),
  ];
}
