/**
 * The machine-readable details of an execution observation (kept in thread
 * state beside the text, never sent to the model), within their caps.
 */
import type { ExecuteResult, RichOutput } from "../executors/types.js";
import { clip } from "../shared/clip.js";
import { base64Bytes, isBase64Image } from "../shared/mime.js";

/** Longest plain-text form kept beside a rich output (as long as the model reads). */
const MAX_DETAILS_ALT_TEXT_CHARS = 2_000;

/*
 * Why the rich-output caps are modest: the details live in thread state, so
 * every later checkpoint of the thread stores them again, and traces repeat
 * the state in each node run's inputs and outputs and in each model call's
 * messages (one 105 KB HTML table made 589 KB of trace uploads). A
 * matplotlib chart is typically 20-60 KB of PNG.
 */
/**
 * Longest base64 text of one image kept in {@link ObservationDetails.outputs}
 * (256 KiB, about 192 KiB of image). A larger image is kept as
 * `{ mimeType, omitted: true, bytes }`.
 */
export const MAX_DETAILS_IMAGE_BASE64_CHARS = 256 * 1024;
/**
 * Longest text of one textual rich output (HTML, SVG, JSON) kept in
 * {@link ObservationDetails.outputs} (64 KiB); a longer one is omitted.
 */
export const MAX_DETAILS_RICH_TEXT_CHARS = 64 * 1024;
/**
 * Total characters of rich output data (base64 and text) one cell keeps in
 * {@link ObservationDetails.outputs} (1 MiB). Outputs that would go past it
 * are omitted, in the order the cell produced them.
 */
export const MAX_DETAILS_CELL_RICH_CHARS = 1024 * 1024;
/**
 * Longest JSON text of one tool call's arguments or result kept in
 * {@link ObservationDetails.toolCalls} (4 KiB); longer text is clipped with
 * a marker.
 */
export const MAX_DETAILS_TOOL_JSON_CHARS = 4 * 1024;
/**
 * Tool calls of one cell kept in {@link ObservationDetails.toolCalls}; the
 * first ones are kept and the rest counted in `toolCallsOmitted`, so a loop
 * of thousands of calls does not bloat the thread.
 */
export const MAX_DETAILS_TOOL_CALLS = 100;
/**
 * Longest `output` or `value` kept in the details. Executors already cap
 * their output (20,000 characters by default); this bounds those that do not.
 */
export const MAX_DETAILS_OUTPUT_CHARS = 50_000;

/**
 * A rich output of a cell (image, HTML, SVG, JSON) as the details keep it:
 * with its data when within the caps, else only its size.
 */
export type ObservationRichOutput =
  | {
      mimeType: string;
      /** As in {@link RichOutput.data}: base64 for binary images, text otherwise. */
      data: string;
      /** The plain-text form the producer offered alongside (clipped like `data`). */
      text?: string;
      /** Size of the content: decoded bytes for base64 images, UTF-8 bytes otherwise. */
      bytes: number;
      omitted?: undefined;
    }
  | {
      mimeType: string;
      /** Over {@link MAX_DETAILS_IMAGE_BASE64_CHARS}, {@link MAX_DETAILS_RICH_TEXT_CHARS} or the cell's budget. */
      omitted: true;
      bytes: number;
      text?: string;
      data?: undefined;
    };

/** A tool call made from inside a cell, as the details keep it. */
export interface ObservationToolCall {
  /** The identifier the code called (`get_weather`). */
  name: string;
  /** The arguments as JSON text, clipped to {@link MAX_DETAILS_TOOL_JSON_CHARS}. */
  args: string;
  /** The result as JSON text, clipped likewise; absent when the call failed. */
  result?: string;
  /** The error message the code received, when the call failed. */
  error?: string;
  /** Wall time of the call, in milliseconds. */
  durationMs: number;
}

/** What the execute node recorded of the tool calls a cell made. */
export interface RecordedToolCalls {
  /** The first {@link MAX_DETAILS_TOOL_CALLS} calls, in the order they started. */
  calls: ObservationToolCall[];
  /** How many calls were made beyond those. */
  omitted: number;
}

/**
 * The details of an execution observation: the cell's structured result,
 * its rich outputs and tool calls, each within the `MAX_DETAILS_*` caps.
 */
export function executionDetails(
  result: ExecuteResult,
  toolCalls: RecordedToolCalls = { calls: [], omitted: 0 }
): ObservationDetails {
  const output = clipDetail(result.output);
  const value = result.value === undefined ? undefined : clipDetail(result.value);
  const error = result.error;
  const traceback = error?.traceback === undefined ? undefined : clipDetail(error.traceback).text;
  return {
    kind: "execution",
    ...(error !== undefined && {
      error: {
        name: error.name,
        message: error.message,
        ...(traceback !== undefined && { traceback }),
      },
    }),
    output: output.text,
    ...(value !== undefined && { value: value.text }),
    truncated: result.truncated === true || output.clipped || value?.clipped === true,
    durationMs: result.durationMs,
    outputs: detailsRichOutputs(result.outputs),
    toolCalls: toolCalls.calls,
    ...(toolCalls.omitted > 0 && { toolCallsOmitted: toolCalls.omitted }),
  };
}

/** Rich outputs within the per-output and per-cell caps, in order. */
export function detailsRichOutputs(outputs: readonly RichOutput[]): ObservationRichOutput[] {
  let budget = MAX_DETAILS_CELL_RICH_CHARS;
  return outputs.map((rich) => {
    const binary = isBase64Image(rich.mimeType);
    const bytes = binary ? base64Bytes(rich.data) : Buffer.byteLength(rich.data, "utf8");
    const text =
      rich.text === undefined
        ? undefined
        : clip(rich.text, MAX_DETAILS_ALT_TEXT_CHARS);
    const cap = binary ? MAX_DETAILS_IMAGE_BASE64_CHARS : MAX_DETAILS_RICH_TEXT_CHARS;
    if (rich.data.length > cap || rich.data.length > budget) {
      return { mimeType: rich.mimeType, omitted: true, bytes, ...(text !== undefined && { text }) };
    }
    budget -= rich.data.length;
    return { mimeType: rich.mimeType, data: rich.data, bytes, ...(text !== undefined && { text }) };
  });
}

/**
 * A tool call's arguments or result as JSON text, clipped to
 * {@link MAX_DETAILS_TOOL_JSON_CHARS}; `undefined` for `undefined`.
 */
export function toolCallJson(value: unknown): string | undefined {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    // A BigInt or a cycle: what the code would see printed.
    json = JSON.stringify(String(value));
  }
  if (json === undefined) return undefined;
  return clip(json, MAX_DETAILS_TOOL_JSON_CHARS);
}



function clipDetail(text: string): { text: string; clipped: boolean } {
  return text.length <= MAX_DETAILS_OUTPUT_CHARS
    ? { text, clipped: false }
    : { text: clip(text, MAX_DETAILS_OUTPUT_CHARS), clipped: true };
}

/** What an observation reports on. */
export type ObservationKind = "execution" | "rejection" | "format_error";

/**
 * Machine-readable details kept next to an observation's text, in
 * `additional_kwargs.codeact_observation`: the structured result of a cell,
 * for UIs and other readers of the thread (the inspector page). Chat model
 * integrations do not send `additional_kwargs` to the provider, so none of
 * this reaches the model: it reads the text (and images when the graph's
 * `includeImagesInObservation` is on).
 *
 * Every field but `kind` is optional: observations of older threads carry
 * `kind` and `error` only, and `rejection` / `format_error` ones nothing else.
 */
export interface ObservationDetails {
  kind: ObservationKind;
  /** The error of the cell, for `execution` observations of failed code. */
  error?: { name: string; message: string; traceback?: string };
  /** What the code printed (capped by {@link MAX_DETAILS_OUTPUT_CHARS}). */
  output?: string;
  /** The printed form of the cell's last expression. */
  value?: string;
  /** True when the executor (or the details' cap) shortened `output` or `value`. */
  truncated?: boolean;
  /** Wall time of the cell, in milliseconds, as the executor measured it. */
  durationMs?: number;
  /** Rich outputs (images, HTML, SVG, JSON) in the order displayed, within the caps. */
  outputs?: ObservationRichOutput[];
  /** Tool calls made from inside the cell, in the order they started. */
  toolCalls?: ObservationToolCall[];
  /** Tool calls beyond {@link MAX_DETAILS_TOOL_CALLS}, counted but not kept. */
  toolCallsOmitted?: number;
}
