/**
 * Reads a CodeAct observation back into its parts. The execute node keeps
 * the cell's structured result in `additional_kwargs.codeact_observation`
 * (`ObservationDetails` in src/graph/messages.ts): output, value, error,
 * rich outputs, tool calls. Observations of older threads carry only their
 * text (see `formatExecutionResult`), which is parsed instead.
 * Kept free of DOM and React so jest can test it.
 */
import type { ObservationDetails, ObservationRichOutput, ObservationToolCall } from "../../../../src/graph/messages.js";

/** A section header of an observation, at the start of the text or after a blank line. */
const SECTION_HEADERS = [
  "The user edited your code before it ran.",
  "Session: ",
  "Not restored (they could not be saved): ",
  "Output:\n",
  "Output (truncated):\n",
  "Value: ",
  "Displayed ",
  "[image/",
  "Error: ",
  "The code ran without output or value.",
] as const;

/** Images printed as data URLs (how code can show a chart through the thread's text). */
const DATA_URL_IMAGE = /data:image\/(?:png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/]+={0,2}/g;

/** A rich output named in an observation ("Displayed text/html:"). */
export interface DisplayedOutput {
  mimeType: string;
  text: string;
}

/** A Python object's default repr (`<IPython.core.display.HTML object>`), not markup. */
const PYTHON_REPR = /^<[\w.]+ object(?: at 0x[0-9a-f]+)?>$/;

/**
 * Whether a displayed output carries renderable markup. Observations show a
 * rich output's plain-text form when it has one (Jupyter always adds
 * text/plain), so an HTML output often arrives as its repr only.
 */
export function isRenderableMarkup(displayed: DisplayedOutput): boolean {
  if (displayed.mimeType !== "text/html" && displayed.mimeType !== "image/svg+xml") return false;
  const text = displayed.text.trim();
  return text.startsWith("<") && !PYTHON_REPR.test(text);
}

/** The parts of an execution observation. */
export interface ParsedObservation {
  /** The code that ran, when a human edited it before approving. */
  editedCode?: string;
  sessionNotice?: string;
  /** Printed output, with data-URL images taken out (see `images`). */
  output: string;
  truncated: boolean;
  value?: string;
  error?: { name: string; message: string; traceback?: string };
  /** Textual rich outputs (HTML, JSON, SVG markup) as the observation shows them. */
  displayed: DisplayedOutput[];
  /** Image sources: data URLs printed by the code or sent as image content blocks. */
  images: string[];
  /** Mentions of images the executor displayed but the thread does not carry. */
  imageNotes: string[];
  /** Tool calls made inside the cell, when the observation records them. */
  toolCalls?: ToolCallRecord[];
  /** Tool calls the observation counted but did not keep. */
  toolCallsOmitted?: number;
  /** Wall time of the cell, when recorded. */
  durationMs?: number;
}

/** A tool call read from an observation's details; arguments and result parsed back from JSON text when whole. */
export interface ToolCallRecord {
  name: string;
  args: unknown;
  result?: unknown;
  error?: string;
  durationMs?: number;
}

/** JSON text back to its value; clipped or invalid text stays text. */
export function parseJsonText(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A recorded tool call as the page shows it. */
export function toolCallRecord(call: ObservationToolCall): ToolCallRecord {
  return {
    name: call.name,
    args: parseJsonText(call.args),
    ...(call.result !== undefined && { result: parseJsonText(call.result) }),
    ...(call.error !== undefined && { error: call.error }),
    durationMs: call.durationMs,
  };
}

/** How an omitted rich output is mentioned. */
export function omittedNote(mimeType: string, bytes: number): string {
  return `${mimeType} displayed (${formatBytes(bytes)}, over the size kept in the thread)`;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${(bytes / (1024 * 1024)).toFixed(1)} MB`
    : bytes >= 1024
      ? `${Math.round(bytes / 1024)} KB`
      : `${bytes} bytes`;
}

/** The structured details of an observation, when it has the current (structured) form. */
export function structuredDetails(details: unknown): ObservationDetails | undefined {
  if (typeof details !== "object" || details === null) return undefined;
  const candidate = details as Partial<ObservationDetails>;
  return candidate.kind === "execution" && typeof candidate.output === "string"
    ? (candidate as ObservationDetails)
    : undefined;
}

/** Rich outputs as the page shows them: image sources, textual outputs, notes for omitted ones. */
export function splitRichOutputs(outputs: readonly ObservationRichOutput[]): {
  images: string[];
  displayed: DisplayedOutput[];
  imageNotes: string[];
} {
  const images: string[] = [];
  const displayed: DisplayedOutput[] = [];
  const imageNotes: string[] = [];
  for (const output of outputs) {
    if (output === undefined) continue;
    if (output.data === undefined) {
      imageNotes.push(omittedNote(output.mimeType, output.bytes));
    } else if (output.mimeType.startsWith("image/") && output.mimeType !== "image/svg+xml") {
      images.push(`data:${output.mimeType};base64,${output.data.replace(/\s+/g, "")}`);
    } else {
      displayed.push({ mimeType: output.mimeType, text: output.data });
    }
  }
  return { images, displayed, imageNotes };
}

/**
 * Reads an execution observation: from its structured details when it has
 * them, else from its text. Edited code and session notices are only in
 * the text, so that is always parsed too.
 */
export function readObservation(content: unknown, details: unknown): ParsedObservation {
  const parsed = parseObservation(content);
  const structured = structuredDetails(details);
  if (structured === undefined) return parsed;
  const printed = extractDataUrlImages(structured.output ?? "");
  const rich = splitRichOutputs(structured.outputs ?? []);
  // Image blocks sent to the model repeat the displayed images: not read.
  const images = [...printed.images, ...rich.images];
  const { displayed, imageNotes } = rich;
  return {
    ...(parsed.editedCode !== undefined && { editedCode: parsed.editedCode }),
    ...(parsed.sessionNotice !== undefined && { sessionNotice: parsed.sessionNotice }),
    output: printed.text,
    truncated: structured.truncated === true,
    ...(structured.value !== undefined && { value: structured.value }),
    ...(structured.error !== undefined && { error: withoutHeadline(structured.error) }),
    displayed,
    images,
    imageNotes,
    toolCalls: (structured.toolCalls ?? []).map(toolCallRecord),
    ...(structured.toolCallsOmitted !== undefined && { toolCallsOmitted: structured.toolCallsOmitted }),
    ...(structured.durationMs !== undefined && { durationMs: structured.durationMs }),
  };
}

/** A message content block as the LangGraph API serialises it. */
export interface ContentBlock {
  type?: string;
  text?: string;
  image_url?: string | { url?: string };
  [key: string]: unknown;
}

/** The text of message content (a string, or the text blocks of an array). */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((block: ContentBlock | string) =>
      typeof block === "string" ? block : block.type === "text" ? (block.text ?? "") : ""
    )
    .join("");
}

/** The image URLs of message content (`image_url` blocks). */
export function contentImages(content: unknown): string[] {
  if (!Array.isArray(content)) return [];
  const images: string[] = [];
  for (const block of content as ContentBlock[]) {
    if (typeof block !== "object" || block === null || block.type !== "image_url") continue;
    const url = typeof block.image_url === "string" ? block.image_url : block.image_url?.url;
    if (url) images.push(url);
  }
  return images;
}

/** Takes data-URL images out of printed text. */
export function extractDataUrlImages(text: string): { text: string; images: string[] } {
  const images: string[] = [];
  const rest = text.replace(DATA_URL_IMAGE, (url) => {
    images.push(url);
    return `[image ${images.length}]`;
  });
  return { text: rest, images };
}

/** Splits an observation into sections, each starting with a known header. */
export function splitSections(text: string): string[] {
  const sections: string[] = [];
  let start = 0;
  let search = 0;
  for (;;) {
    const gap = text.indexOf("\n\n", search);
    if (gap === -1) break;
    const next = gap + 2;
    if (SECTION_HEADERS.some((header) => text.startsWith(header, next))) {
      sections.push(text.slice(start, gap));
      start = next;
    }
    search = gap + 1;
  }
  sections.push(text.slice(start));
  return sections.filter((section) => section !== "");
}

/** Parses the text (and image blocks) of an execution observation. */
export function parseObservation(content: unknown): ParsedObservation {
  const parsed: ParsedObservation = {
    output: "",
    truncated: false,
    displayed: [],
    images: [],
    imageNotes: [],
  };
  for (const section of splitSections(contentText(content))) {
    if (section.startsWith("The user edited your code before it ran.")) {
      const fenced = /```[^\n]*\n([\s\S]*?)\n?```\s*$/.exec(section);
      if (fenced?.[1] !== undefined) parsed.editedCode = fenced[1];
    } else if (section.startsWith("Session: ")) {
      parsed.sessionNotice = section.slice("Session: ".length);
    } else if (section.startsWith("Output:\n") || section.startsWith("Output (truncated):\n")) {
      parsed.truncated = section.startsWith("Output (truncated)");
      const body = section.slice(section.indexOf("\n") + 1);
      const { text, images } = extractDataUrlImages(body);
      parsed.output = text;
      parsed.images.push(...images);
    } else if (section.startsWith("Value: ")) {
      parsed.value = section.slice("Value: ".length);
    } else if (section.startsWith("Displayed ")) {
      const newline = section.indexOf("\n");
      const header = newline === -1 ? section : section.slice(0, newline);
      parsed.displayed.push({
        mimeType: header.slice("Displayed ".length).replace(/:$/, ""),
        text: newline === -1 ? "" : section.slice(newline + 1),
      });
    } else if (section.startsWith("[image/")) {
      parsed.imageNotes.push(section.replace(/^\[|\]$/g, ""));
    } else if (section.startsWith("Error: ")) {
      parsed.error = parseError(section.slice("Error: ".length));
    }
  }
  parsed.images.push(...contentImages(content));
  return parsed;
}

function parseError(text: string): NonNullable<ParsedObservation["error"]> {
  const marker = text.indexOf("\nTraceback:\n");
  const headline = marker === -1 ? text : text.slice(0, marker);
  const colon = headline.indexOf(": ");
  const name = colon === -1 ? headline : headline.slice(0, colon);
  const message = colon === -1 ? "" : headline.slice(colon + 2);
  return marker === -1
    ? { name, message }
    : { name, message, traceback: text.slice(marker + "\nTraceback:\n".length) };
}

/** A JavaScript stack repeats "Name: message" on its first line; the page shows it once. */
function withoutHeadline(error: { name: string; message: string; traceback?: string }): NonNullable<ParsedObservation["error"]> {
  const headline = `${error.name}: ${error.message}`;
  const traceback = error.traceback?.replace(/\s+$/, "");
  if (traceback === undefined) return { name: error.name, message: error.message };
  const body = traceback.startsWith(headline) ? traceback.slice(headline.length).replace(/^\n/, "") : traceback;
  return body === "" ? { name: error.name, message: error.message } : { name: error.name, message: error.message, traceback: body };
}
