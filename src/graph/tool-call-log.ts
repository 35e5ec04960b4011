/**
 * The tool calls of one cell as they happen: recorded for the observation's
 * details, streamed on LangGraph's `custom` stream, and the images tools
 * returned (an MCP server's image content) kept as the cell's rich outputs.
 */
import { performance } from "node:perf_hooks";
import type { HostFunction, RichOutput } from "../executors/types.js";
import { imagesOf } from "../tools/tool-results.js";
import { TOOL_CALL_STREAM_TYPE } from "./constants.js";
import { MAX_DETAILS_TOOL_CALLS, toolCallJson, type ObservationToolCall, type RecordedToolCalls } from "./messages.js";

/** Most images kept from one cell's tool results. */
const MAX_TOOL_IMAGES = 10;

/**
 * A tool call made from inside a running cell, on LangGraph's `custom`
 * stream: `phase: "start"` when the code calls it, `phase: "end"` when it
 * returns or fails. Arguments and result are JSON text clipped like
 * {@link ObservationToolCall}'s.
 */
export interface ToolCallStreamChunk {
  type: typeof TOOL_CALL_STREAM_TYPE;
  phase: "start" | "end";
  /** Position of the call in its cell, from 0: pairs a start with its end. */
  index: number;
  name: string;
  /** On `start`: the arguments, as JSON text. */
  args?: string;
  /** On `end` of a call that returned: the result, as JSON text. */
  result?: string;
  /** On `end` of a call that failed: the error message the code received. */
  error?: string;
  /** On `end`: wall time of the call, in milliseconds. */
  durationMs?: number;
}

/**
 * Records the tool calls of one cell by wrapping its host functions: the
 * first {@link MAX_DETAILS_TOOL_CALLS} for the observation's details, all of
 * them on the custom stream when there is a writer. Kept cheap: two clock
 * reads and two capped `JSON.stringify` calls per call.
 */
export class ToolCallLog {
  /** Where call events are streamed: the run that owns the cell now (a paused cell changes runs). */
  writer: ((chunk: unknown) => void) | undefined;
  readonly #calls: Array<{ call: ObservationToolCall; done: boolean }> = [];
  #started = 0;
  #closed = false;
  /** Images among the tools' results, in call order. */
  readonly images: RichOutput[] = [];

  constructor(writer: ((chunk: unknown) => void) | undefined) {
    this.writer = writer;
  }

  wrap(functions: Record<string, HostFunction>): Record<string, HostFunction> {
    const wrapped: Record<string, HostFunction> = {};
    for (const [name, fn] of Object.entries(functions)) {
      const call = (...args: unknown[]): Promise<unknown> => this.#call(name, fn, args);
      wrapped[name] =
        fn.parameters === undefined ? call : Object.assign(call, { parameters: fn.parameters });
    }
    return wrapped;
  }

  async #call(name: string, fn: HostFunction, args: unknown[]): Promise<unknown> {
    const index = this.#started++;
    const record =
      index < MAX_DETAILS_TOOL_CALLS ? { call: { name, args: "", durationMs: 0 }, done: false } : undefined;
    const stream = this.#closed ? undefined : this.writer;
    const describe = record !== undefined || stream !== undefined;
    // The code passes one input object, except for positional calls.
    const argsJson = describe ? (toolCallJson(args.length === 1 ? args[0] : args) ?? "null") : "";
    if (record !== undefined) {
      record.call.args = argsJson;
      this.#calls.push(record);
    }
    stream?.({ type: TOOL_CALL_STREAM_TYPE, phase: "start", index, name, args: argsJson } satisfies ToolCallStreamChunk);
    const startedAt = performance.now();
    let outcome: { result?: string; error?: string } = {};
    try {
      const value = await fn(...args);
      if (!this.#closed && this.images.length < MAX_TOOL_IMAGES) {
        this.images.push(...imagesOf(value).slice(0, MAX_TOOL_IMAGES - this.images.length));
      }
      const result = describe ? toolCallJson(value) : undefined;
      if (result !== undefined) outcome = { result };
      return value;
    } catch (error) {
      outcome = { error: error instanceof Error ? error.message : String(error) };
      throw error;
    } finally {
      const durationMs = roundMs(performance.now() - startedAt);
      if (!this.#closed) {
        if (record !== undefined) {
          Object.assign(record.call, outcome, { durationMs });
          record.done = true;
        }
        // A call that waited for an approval ends in the run that resumed its cell.
        (stream === undefined ? undefined : this.writer)?.({ type: TOOL_CALL_STREAM_TYPE, phase: "end", index, name, ...outcome, durationMs } satisfies ToolCallStreamChunk);
      }
    }
  }

  /** The recorded calls, those still running marked so; later events are ignored. */
  close(): RecordedToolCalls {
    this.#closed = true;
    return {
      calls: this.#calls.map(({ call, done }) =>
        done ? { ...call } : { ...call, error: "still running when the cell ended" }
      ),
      omitted: Math.max(0, this.#started - MAX_DETAILS_TOOL_CALLS),
    };
  }
}

function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}
