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
    const lines = splitText(cleanStack(new ErrorCtor().stack || ""), "\n");
    let stack = "";
    for (let i = 1; i < lines.length; i++) stack += (i === 1 ? "" : "\n") + lines[i];
    write("stderr", "Trace" + (args.length ? ": " + formatArguments(args) : "") + (stack ? "\n" + stack : ""));
  },
  assert(condition, ...args) {
    if (!condition) write("stderr", "Assertion failed" + (args.length ? ": " + formatArguments(args) : ""));
  },
  count(label = "default") {
    const n = (ReflectApply(MapGet, counters, [label]) || 0) + 1;
    ReflectApply(MapSet, counters, [label, n]);
    write("stdout", label + ": " + n);
  },
  time(label = "default") { ReflectApply(MapSet, timers, [label, DateNow()]); },
  timeEnd(label = "default") {
    if (ReflectApply(MapHas, timers, [label])) write("stdout", label + ": " + (DateNow() - ReflectApply(MapGet, timers, [label])) + "ms");
    ReflectApply(MapDelete, timers, [label]);
  },
};
ObjectDefineProperty(G, "console", { value: consoleObject, writable: true, configurable: true, enumerable: false });

const FRAME = ownPattern(/^\s+at /);
const EVAL_FRAME = ownPattern(/at eval \(cell-[^)]*\)$/);

/** Our own frames (runtime, eval plumbing) are noise for the model. */
function cleanStack(stack) {
  const lines = splitText(StringCtor(stack), "\n");
  const kept = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!matches(FRAME, line)) { pushTo(kept, line); continue; }
    if (stringIncludes(line, "${GUEST_RUNTIME_FILENAME}") || stringIncludes(line, "<anonymous>") || stringIncludes(line, "<isolated-vm")) continue;
    if (!matches(EVAL_FRAME, line)) { pushTo(kept, line); continue; }
    // "at eval (cell-3.ts:2:5)" reads "at cell-3.ts:2:5"
    const at = stringIndexOf(line, "at eval (cell-");
    pushTo(kept, stringSlice(line, 0, at) + "at " + stringSlice(line, at + 9, -1));
  }
  return joinTexts(kept, "\n");
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
