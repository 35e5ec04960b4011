/**
 * The guest's `console` (writes go to the host's output Reference) and the
 * error descriptions a failed cell reports.
 * Part of the guest runtime's source (see runtime.ts): evaluated inside the
 * isolate, never in the host.
 */
import { GUEST_RUNTIME_FILENAME } from "./filename.js";

export const GUEST_CONSOLE = String.raw`
let chunkCount = 0;
function write(stream, text) {
  chunkCount++;
  output.applyIgnored(undefined, [stream, text + "\n"]);
}

const counters = new Map();
const timers = new Map();
const consoleObject = {
  log(...args) { write("stdout", formatArguments(args)); },
  info(...args) { write("stdout", formatArguments(args)); },
  debug(...args) { write("stdout", formatArguments(args)); },
  warn(...args) { write("stderr", formatArguments(args)); },
  error(...args) { write("stderr", formatArguments(args)); },
  dir(value) { write("stdout", inspect(value, [], 0, 0)); },
  table(...args) { write("stdout", formatArguments(args)); },
  trace(...args) {
    const stack = cleanStack(new ErrorCtor().stack || "").split("\n").slice(1).join("\n");
    write("stderr", "Trace" + (args.length ? ": " + formatArguments(args) : "") + (stack ? "\n" + stack : ""));
  },
  assert(condition, ...args) {
    if (!condition) write("stderr", "Assertion failed" + (args.length ? ": " + formatArguments(args) : ""));
  },
  count(label = "default") {
    const n = (counters.get(label) || 0) + 1;
    counters.set(label, n);
    write("stdout", label + ": " + n);
  },
  time(label = "default") { timers.set(label, Date.now()); },
  timeEnd(label = "default") {
    if (timers.has(label)) write("stdout", label + ": " + (Date.now() - timers.get(label)) + "ms");
    timers.delete(label);
  },
};
ObjectDefineProperty(G, "console", { value: consoleObject, writable: true, configurable: true, enumerable: false });

/** Our own frames (runtime, eval plumbing) are noise for the model. */
function cleanStack(stack) {
  const lines = StringCtor(stack).split("\n");
  const kept = [];
  for (const line of lines) {
    if (!/^\s+at /.test(line)) { kept.push(line); continue; }
    if (line.includes("${GUEST_RUNTIME_FILENAME}") || line.includes("<anonymous>") || line.includes("<isolated-vm")) continue;
    kept.push(line.replace(/at eval \((cell-[^)]*)\)$/, "at $1"));
  }
  return kept.join("\n");
}

function describeError(error) {
  if (error !== null && (typeof error === "object" || typeof error === "function")) {
    let name = "Error", message = "", stack = "";
    try { name = StringCtor(error.name); } catch (e) {}
    try { message = StringCtor(error.message); } catch (e) {}
    try { if (typeof error.stack === "string") stack = cleanStack(error.stack); } catch (e) {}
    if (name === "undefined" && message === "undefined") return { name: "Error", message: "Uncaught " + inspect(error, [], 0, 0) };
    return { name, message, stack };
  }
  return { name: "Error", message: "Uncaught " + inspect(error, [], 0, 0) };
}

`;
