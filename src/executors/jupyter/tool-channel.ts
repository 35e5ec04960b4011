/**
 * Host tools called from Python over the kernel's stdin channel: the stub in
 * the kernel asks `input()` with a marked prompt carrying the call, and the
 * host answers with the result as JSON in the `input_reply`. No connection
 * from the kernel back to the host is needed.
 */
import type { HostFunction } from "../types.js";
import type { CellOutput } from "./cell-output.js";
import type { KernelConnection } from "./kernel-connection.js";
import type { KernelMessage, MessageHeader } from "./kernel-protocol.js";
import { parseToolCall } from "./python-runtime.js";
import { bindArguments } from "../tool-arguments.js";

/** What the stdin channel of one cell answers with. */
export interface ToolChannelContext {
  connection: KernelConnection;
  tools: Record<string, HostFunction>;
  output: CellOutput;
  maxToolResultBytes: number;
  /** False once the cell ended: a late reply would answer the next cell's request. */
  isActive: () => boolean;
}

/**
 * The one mapping of a Python call to a tool's input: positional values take
 * the tool's `parameters` in order, keywords are merged; a single dict whose
 * keys are all parameters is the input itself (`search({"query": "x"})`, as
 * in JavaScript).
 */
export function toolInput(
  tool: HostFunction,
  args: readonly unknown[],
  kwargs: Record<string, unknown>
): unknown {
  if (args.length === 0) return kwargs;
  const parameters = tool.parameters;
  const only = args[0];
  const isPlainObject = typeof only === "object" && only !== null && !Array.isArray(only);
  if (
    args.length === 1 &&
    Object.keys(kwargs).length === 0 &&
    isPlainObject &&
    (!parameters || Object.keys(only).every((key) => parameters.includes(key)))
  ) {
    return only;
  }
  if (!parameters) {
    throw new TypeError("takes keyword arguments only (e.g. name(query=...)), or one dict with the input");
  }
  return bindArguments(parameters, args, kwargs);
}

/**
 * A tool's result as the kernel's JSON reply, with JSON.stringify's
 * conversions (`undefined`, functions and NaN become None, `toJSON` is used);
 * a result that cannot be JSON or is too big for one kernel message (Tornado
 * drops WebSocket messages over its limit, so the cell would wait forever)
 * is an error raised in the code.
 */
export function toolReply(name: string, value: unknown, maxBytes: number): string {
  let reply: string;
  try {
    reply = JSON.stringify({ ok: value === undefined ? null : value });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return JSON.stringify({ error: `The tool ${name} returned a value that is not JSON (${reason}).` });
  }
  // The reply travels as a string inside the message's JSON.
  const bytes = Buffer.byteLength(JSON.stringify(reply));
  if (bytes > maxBytes) {
    return JSON.stringify({
      error:
        `The tool ${name} returned ${bytes} bytes of JSON, over the ${maxBytes}-byte limit ` +
        "of one kernel message; ask it for less (a page, a summary, a file path).",
    });
  }
  return reply;
}

/** Answers one stdin message of a running cell: a tool call, or a plain `input()`. */
export async function answerInputRequest(context: ToolChannelContext, message: KernelMessage): Promise<void> {
  if (message.header.msg_type !== "input_request") return;
  const { connection, output } = context;
  const parent = message.parent_header as MessageHeader;
  const prompt = String(message.content.prompt ?? "");
  let call;
  try {
    call = parseToolCall(prompt);
  } catch {
    call = undefined;
  }
  if (!call) {
    output.write(`${prompt}\n[input() is not available here: it returned an empty string]\n`);
    connection.sendInputReply(parent, "");
    return;
  }
  let reply: string;
  try {
    const tool = Object.prototype.hasOwnProperty.call(context.tools, call.name) ? context.tools[call.name] : undefined;
    if (!tool) throw new Error(`no tool named ${call.name}`);
    const value = await tool(toolInput(tool, call.args, call.kwargs));
    reply = toolReply(call.name, value, context.maxToolResultBytes);
  } catch (error) {
    reply = JSON.stringify({
      error: error instanceof Error ? error.message : String(error),
      // The kernel raises a class of its own for some (a rejected call: ToolRejectedError).
      ...(error instanceof Error && error.name !== "Error" && { name: error.name }),
    });
  }
  if (context.isActive()) connection.sendInputReply(parent, reply);
}
