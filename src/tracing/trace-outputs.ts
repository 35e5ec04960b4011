import { createHash } from "node:crypto";
import type {
  ExecuteResult,
  ExecutionError,
  RichOutput,
} from "../executors/types.js";
import { clip, clipText } from "../shared/clip.js";
import { isBase64Image } from "../shared/mime.js";

/**
 * Longest text (HTML, SVG, JSON, an image's alt text) a rich output keeps in
 * a trace. The full output still reaches the graph and the model.
 */
export const DEFAULT_MAX_TRACE_TEXT_CHARS = 2_000;

/**
 * Longest `output` (printed text) a cell keeps in a trace. Executors already
 * truncate what they return (20,000 characters by default); this only caps
 * executors that do not.
 */
export const DEFAULT_MAX_TRACE_OUTPUT_CHARS = 50_000;


/**
 * A rich output as a trace records it: a reference, never the payload.
 * `bytes` and `sha256` are of the decoded content (the image file itself for
 * base64 types, the UTF-8 text otherwise), so a trace can be matched with
 * the file a user saved.
 */
export interface TracedRichOutput {
  mimeType: string;
  bytes: number;
  sha256: string;
  /**
   * The beginning of a textual output (HTML, SVG, JSON), up to
   * `maxTextChars`. Absent for binary outputs.
   */
  preview?: string;
  /** The plain-text form the producer offered, clipped like `preview`. */
  text?: string;
  /** True when `preview` or `text` was clipped. */
  truncated?: boolean;
}

/** What the `execute_code` run records as its outputs. */
export interface CellTraceOutputs {
  /** Everything the code printed (as the executor returned it, capped). */
  output: string;
  /** The printed form of the cell's last expression. */
  value?: string;
  /** The error of a failed cell. */
  error?: ExecutionError;
  /** References to the cell's rich outputs, in order; absent when none. */
  outputs?: TracedRichOutput[];
}

/** What the `execute_code` run adds to its metadata when the cell ends. */
export interface CellTraceMetadata {
  /** Wall time of the cell, as the executor measured it. */
  codeact_duration_ms: number;
  /** Whether the executor shortened the cell's output. */
  codeact_truncated: boolean;
  /** Number of rich outputs (images, HTML, JSON) the cell displayed. */
  codeact_rich_outputs: number;
  /** The error's name when the code failed (user-code errors are data, not run errors). */
  codeact_error?: string;
}

/** Size caps of {@link cellTraceOutputs}. */
export interface TraceOutputLimits {
  /** @defaultValue {@link DEFAULT_MAX_TRACE_TEXT_CHARS} */
  maxTextChars?: number;
  /** @defaultValue {@link DEFAULT_MAX_TRACE_OUTPUT_CHARS} */
  maxOutputChars?: number;
}

/**
 * Describes a rich output for a trace: `{ mimeType, bytes, sha256 }`, plus a
 * clipped `preview` for textual types, so traces stay small however large
 * the image or HTML is.
 */
export function traceRichOutput(
  rich: RichOutput,
  maxTextChars: number = DEFAULT_MAX_TRACE_TEXT_CHARS
): TracedRichOutput {
  const binary = isBase64Image(rich.mimeType);
  const content = binary ? Buffer.from(rich.data, "base64") : Buffer.from(rich.data, "utf8");
  const traced: TracedRichOutput = {
    mimeType: rich.mimeType,
    bytes: content.length,
    sha256: createHash("sha256").update(content).digest("hex"),
  };
  let truncated = false;
  if (!binary) {
    const preview = clipText(rich.data, maxTextChars);
    traced.preview = preview.text;
    truncated ||= preview.truncated;
  }
  if (rich.text !== undefined) {
    const text = clipText(rich.text, maxTextChars);
    traced.text = text.text;
    truncated ||= text.truncated;
  }
  if (truncated) traced.truncated = true;
  return traced;
}

/**
 * The outputs a cell's run records: `output`, `value` and `error` as the
 * model saw them, and references in place of rich outputs.
 */
export function cellTraceOutputs(
  result: ExecuteResult,
  limits: TraceOutputLimits = {}
): CellTraceOutputs {
  const maxTextChars = limits.maxTextChars ?? DEFAULT_MAX_TRACE_TEXT_CHARS;
  const maxOutputChars = limits.maxOutputChars ?? DEFAULT_MAX_TRACE_OUTPUT_CHARS;
  return {
    output: clip(result.output, maxOutputChars),
    ...(result.value !== undefined && { value: clip(result.value, maxOutputChars) }),
    ...(result.error !== undefined && { error: result.error }),
    ...(result.outputs.length > 0 && {
      outputs: result.outputs.map((rich) => traceRichOutput(rich, maxTextChars)),
    }),
  };
}

/** The facts about a finished cell that go into its run's metadata. */
export function cellTraceMetadata(result: ExecuteResult): CellTraceMetadata {
  return {
    codeact_duration_ms: Math.round(result.durationMs),
    codeact_truncated: result.truncated === true,
    codeact_rich_outputs: result.outputs.length,
    ...(result.error !== undefined && { codeact_error: result.error.name }),
  };
}

