/**
 * Host tools called from Python: the kernel's `input_request` on the stdin
 * channel carries a tool call; the host runs the tool and answers with an
 * `input_reply` holding the JSON result or the error message.
 */
import { bindArguments } from "../tool-arguments.js";
import type { HostFunction } from "../types.js";
import type { CellOutput } from "./cell-output.js";
import type { KernelConnection } from "./kernel-connection.js";
import type { KernelMessage, MessageHeader } from "./kernel-protocol.js";
import { parseToolCall } from "./python-runtime.js";

/** What answering one stdin request needs. */
export interface ToolChannel {
  connection: KernelConnection;
  tools: Readonly<Record<string, HostFunction>>;
  output: CellOutput;
  maxToolResultBytes: number;
  /** False once the cell has ended: a late reply must not reach the next cell. */
  isActive(): boolean;
}

/** Answers a stdin message: a tool call, or `input()`, which gets an empty string. */
export async function answerStdin(channel: ToolChannel, message: KernelMessage): Promise<void> {
  if (message.header.msg_type !== "input_request") return;
  const parent = message.parent_header as MessageHeader;
  const prompt = String(message.content.prompt ?? "");
  let call;
  try {
    call = parseToolCall(prompt);
  } catch {
    call = undefined;
  }
  if (!call) {
    channel.output.write(`${prompt}\n[input() is not available here: it returned an empty string]\n`);
    channel.connection.sendInputReply(parent, "");
    return;
  }
  let reply: string;
  try {
    const tool = Object.prototype.hasOwnProperty.call(channel.tools, call.name) ? channel.tools[call.name] : undefined;
    if (!tool) throw new Error(`no tool named ${call.name}`);
    const value = await tool(toolInput(tool, call.args, call.kwargs));
    reply = toolReply(call.name, value, channel.maxToolResultBytes);
  } catch (error) {
    reply = JSON.stringify({ error: error instanceof Error ? error.message : String(error) });
  }
  if (channel.isActive()) channel.connection.sendInputReply(parent, reply);
}

/**
 * Builds a tool's single input object from Python's positional and keyword
 * arguments: `search({"query": "x"})` passes the input object itself, as in
 * JavaScript; otherwise see {@link bindArguments}.
 */
export function toolInput(tool: HostFunction, args: readonly unknown[], kwargs: Record<string, unknown>): unknown {
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
 * conversions (`undefined`, functions and NaN become None, `toJSON` is
 * used, Maps become {}); a result that cannot be JSON or is too big for one
 * kernel message is an error raised in the code.
 */
function toolReply(name: string, value: unknown, maxBytes: number): string {
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
