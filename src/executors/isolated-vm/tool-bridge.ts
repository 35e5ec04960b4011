import { AsyncResource } from "node:async_hooks";
import type { HostFunction } from "../types.js";

/**
 * The reply to one tool call, as JSON text for the guest:
 * `{"value": …}`, `{}` (the tool returned `undefined`), or
 * `{"error": {"name", "message"}}`.
 */
export type ToolReply = string;

/** Runs a tool call the guest made; never throws (errors are data). */
export type ToolDispatcher = (name: string, argumentsJson: string) => Promise<ToolReply>;

/**
 * Builds the host side of the tool bridge for one run: parses the guest's
 * JSON arguments, calls the host function with exactly those arguments, and
 * serialises the result or the error. Only strings cross the boundary, so no
 * host object (and no host `Function` constructor) ever reaches the guest.
 */
export function createToolDispatcher(
  tools: Readonly<Record<string, HostFunction>>,
  limits: ReplyLimits = UNLIMITED
): ToolDispatcher {
  // What the cell's tool results have brought into the isolate so far.
  let deliveredChars = 0;
  return async (name, argumentsJson) => {
    const tool = Object.hasOwn(tools, name) ? tools[name] : undefined;
    if (typeof name !== "string" || !tool) {
      return errorReply("ReferenceError", `The tool ${String(name)} is not available in this cell.`);
    }
    let args: unknown;
    try {
      args = JSON.parse(String(argumentsJson));
    } catch {
      return errorReply("TypeError", `The arguments of ${name}() are not valid JSON.`);
    }
    if (!Array.isArray(args)) return errorReply("TypeError", `The arguments of ${name}() must be a list.`);

    let result: unknown;
    try {
      result = await tool(...(args as unknown[]));
    } catch (error) {
      return errorReplyFrom(error);
    }
    if (result === undefined) return "{}";
    let reply: string;
    try {
      reply = JSON.stringify({ value: result });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return errorReply("TypeError", `The tool ${name} returned a value that is not JSON (${reason}).`);
    }
    // Checked here, on the host: a few large strings copied into a small heap
    // can make V8 abort the whole process instead of failing the cell.
    if (reply.length > limits.maxReplyChars || deliveredChars + reply.length > limits.maxCellReplyChars) {
      return errorReply(
        "MemoryLimitError",
        `The tool ${name} returned ${megabytes(reply.length * 2)} MB, more than the sandbox's memory limit takes ` +
          `(at most ${megabytes(limits.maxReplyChars * 2)} MB in one result, ${megabytes(limits.maxCellReplyChars * 2)} MB per cell): ask it for less.`
      );
    }
    deliveredChars += reply.length;
    return reply;
  };
}

/** How much tool results may bring into one isolate, in characters of their JSON. */
export interface ReplyLimits {
  maxReplyChars: number;
  maxCellReplyChars: number;
}

const UNLIMITED: ReplyLimits = { maxReplyChars: Number.POSITIVE_INFINITY, maxCellReplyChars: Number.POSITIVE_INFINITY };

/**
 * The limits for an isolate with `memoryLimitMb` of heap: one result at most
 * an eighth of the heap, a cell's results together at most half of it
 * (JavaScript strings take two bytes a character).
 */
export function replyLimitsFor(memoryLimitMb: number): ReplyLimits {
  const heapChars = (memoryLimitMb * 1024 * 1024) / 2;
  return { maxReplyChars: Math.floor(heapChars / 8), maxCellReplyChars: Math.floor(heapChars / 2) };
}

function megabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

/** A cell's host callbacks, each running in the async context of the caller of `execute`. */
export interface CallerHooks {
  dispatch: ToolDispatcher;
  onOutput: ((chunk: string) => void) | undefined;
}

/**
 * Binds the tool dispatcher and `onOutput` of one execute to the caller's
 * async context (so tools and tracing see their run). One `AsyncResource`
 * for both: `AsyncResource.bind` builds one per callback and, in Node 20,
 * calls `util.deprecate` twice per bind, a real cost on this hot path.
 */
export function bindToCaller(
  tools: Readonly<Record<string, HostFunction>>,
  onOutput: ((chunk: string) => void) | undefined,
  limits?: ReplyLimits
): CallerHooks {
  const scope = new AsyncResource("langgraph-codeact.execute");
  const dispatch = createToolDispatcher(tools, limits);
  return {
    dispatch: (name, argumentsJson) => scope.runInAsyncScope(dispatch, undefined, name, argumentsJson),
    onOutput: onOutput && ((chunk) => scope.runInAsyncScope(onOutput, undefined, chunk)),
  };
}

function errorReply(name: string, message: string): ToolReply {
  return JSON.stringify({ error: { name, message } });
}

/** Keeps an error's name when it is a plain string; messages of non-Errors are stringified. */
function errorReplyFrom(error: unknown): ToolReply {
  if (error instanceof Error) {
    const name = typeof error.name === "string" && error.name ? error.name : "Error";
    return errorReply(name, typeof error.message === "string" ? error.message : String(error.message));
  }
  let message: string;
  try {
    message = typeof error === "string" ? error : JSON.stringify(error) ?? String(error);
  } catch {
    message = String(error);
  }
  return errorReply("Error", message);
}
