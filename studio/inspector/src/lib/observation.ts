/**
 * Reads a CodeAct observation back into its parts. The execute node writes
 * observations as compact text sections (see `formatExecutionResult` in
 * src/graph/messages.ts): the thread's state keeps only that text, so the
 * inspector parses it to show output, value, rich outputs and errors apart.
 * Kept free of DOM and React so jest can test it.
 */

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
