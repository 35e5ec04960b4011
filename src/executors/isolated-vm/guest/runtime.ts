/**
 * Source of the runtime evaluated once inside every isolate, as the body of
 * a function `($0, $1, $2)` (compiled with V8's code cache, see
 * isolate-session.ts). Kept as a string, not a function's `toString()`, so
 * compilers and coverage tools never rewrite code that runs in the guest.
 *
 * Arguments: `$0` the host tool dispatcher Reference, `$1` the host output
 * Reference, `$2` the per-variable snapshot cap in characters. The
 * References stay in this closure: nothing reachable from user code holds
 * them. Returns `{ run, setTools, restore }`, used by the host through
 * References to those functions; `run(script, toolNames)` first installs
 * the tool globals when `toolNames` is not null (one call per cell).
 *
 * `WebAssembly` is removed (its memory escapes the heap limit). Builtins are captured up front so user code that replaces `JSON`,
 * `Object.keys`, `console`, … cannot break the runtime.
 */
export const GUEST_RUNTIME_FILENAME = "codeact-runtime.js";

export const GUEST_RUNTIME_SOURCE = String.raw`
"use strict";
const bridge = $0;
const output = $1;
const maxVariableChars = $2;
const G = globalThis;
// WebAssembly.Memory is allocated outside the heap isolated-vm limits: a 32 MB
// sandbox could commit gigabytes of host memory through it. Model code never needs it.
delete G.WebAssembly;
const indirectEval = G.eval;
const JSONStringify = JSON.stringify;
const JSONParse = JSON.parse;
const ObjectKeys = Object.keys;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const ObjectGetOwnPropertyNames = Object.getOwnPropertyNames;
const ObjectGetOwnPropertySymbols = Object.getOwnPropertySymbols;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectDefineProperty = Object.defineProperty;
const ObjectPrototype = Object.prototype;
const ObjectToString = Object.prototype.toString;
const FunctionToString = Function.prototype.toString;
const ArrayIsArray = Array.isArray;
const ReflectApply = Reflect.apply;
const ReflectOwnKeys = Reflect.ownKeys;
const StringCtor = String;
const NumberIsFinite = Number.isFinite;
const ObjectIs = Object.is;
const ErrorCtor = Error;
const TypeErrorCtor = TypeError;
const SetCtor = Set;
const MapProto = Map.prototype;
const SetProto = Set.prototype;
const DateProto = Date.prototype;
const RegExpProto = RegExp.prototype;
const ErrorProto = Error.prototype;
const PromiseProto = Promise.prototype;
const MapEntries = Map.prototype.entries;
const MapSize = ObjectGetOwnPropertyDescriptor(Map.prototype, "size").get;
const SetValues = Set.prototype.values;
const SetSize = ObjectGetOwnPropertyDescriptor(Set.prototype, "size").get;
const DateGetTime = Date.prototype.getTime;
const DateToISOString = Date.prototype.toISOString;
const RegExpToString = RegExp.prototype.toString;
const TypedArrayProto = ObjectGetPrototypeOf(Uint8Array.prototype);
const TypedArrayLength = ObjectGetOwnPropertyDescriptor(TypedArrayProto, "length").get;
const TypedArrayName = ObjectGetOwnPropertyDescriptor(TypedArrayProto, Symbol.toStringTag).get;
const ArrayBufferByteLength = ObjectGetOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength").get;
const SymbolToString = Symbol.prototype.toString;
const BigIntToString = BigInt.prototype.toString;

const MAX_DEPTH = 4;
const MAX_ITEMS = 100;
const MAX_NODES = 2000;
const MAX_STRING_CHARS = 10000;
const LINE_WIDTH = 72;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function has(proto, value) {
  for (let p = ObjectGetPrototypeOf(value); p !== null; p = ObjectGetPrototypeOf(p)) {
    if (p === proto) return true;
  }
  return false;
}

function quote(text) {
  let body = text.length > MAX_STRING_CHARS
    ? text.slice(0, MAX_STRING_CHARS) + "... " + (text.length - MAX_STRING_CHARS) + " more characters"
    : text;
  body = JSONStringify(body).slice(1, -1).replace(/\\"/g, '"');
  if (!body.includes("'")) return "'" + body + "'";
  if (!body.includes('"')) return '"' + body + '"';
  return "'" + body.replace(/'/g, "\\'") + "'";
}

function formatKey(key) {
  if (typeof key === "symbol") return "[" + ReflectApply(SymbolToString, key, []) + "]";
  return IDENTIFIER.test(key) ? key : quote(key);
}

function constructorName(value) {
  try {
    for (let p = ObjectGetPrototypeOf(value); p !== null; p = ObjectGetPrototypeOf(p)) {
      const d = ObjectGetOwnPropertyDescriptor(p, "constructor");
      if (d && typeof d.value === "function" && typeof d.value.name === "string" && d.value.name) return d.value.name;
    }
  } catch (e) {}
  return null;
}

function join(open, items, close, indent, prefix) {
  const head = prefix ? prefix + " " : "";
  if (items.length === 0) return head + open + close;
  const single = head + open + " " + items.join(", ") + " " + close;
  if (single.length <= LINE_WIDTH && !single.includes("\n")) return single;
  const pad = "  ".repeat(indent + 1);
  return head + open + "\n" + pad + items.join(",\n" + pad) + "\n" + "  ".repeat(indent) + close;
}

function formatFunction(value) {
  let source = "";
  try { source = ReflectApply(FunctionToString, value, []); } catch (e) {}
  const name = typeof value.name === "string" && value.name ? value.name : "";
  if (source.startsWith("class")) return "[class " + (name || "(anonymous)") + "]";
  const kind = ReflectApply(ObjectToString, value, []).slice(8, -1);
  const label = kind === "AsyncFunction" || kind === "GeneratorFunction" || kind === "AsyncGeneratorFunction" ? kind : "Function";
  return "[" + label + (name ? ": " + name : " (anonymous)") + "]";
}

function formatError(value, indent) {
  let stack = "";
  try { stack = typeof value.stack === "string" ? cleanStack(value.stack) : ""; } catch (e) {}
  if (!stack) {
    let name = "Error", message = "";
    try { name = StringCtor(value.name); message = StringCtor(value.message); } catch (e) {}
    stack = message ? name + ": " + message : name;
  }
  if (indent > 0) stack = "[" + stack.split("\n")[0] + "]";
  return stack;
}

function formatProperties(value, keys, seen, indent, depth) {
  const items = [];
  for (const key of keys) {
    const d = ObjectGetOwnPropertyDescriptor(value, key);
    if (!d || (typeof key === "string" && !d.enumerable) || (typeof key === "symbol" && !d.enumerable)) continue;
    let shown;
    if (d.get || d.set) shown = d.get && d.set ? "[Getter/Setter]" : d.get ? "[Getter]" : "[Setter]";
    else shown = inspect(d.value, seen, indent + 1, depth + 1);
    items.push(formatKey(key) + ": " + shown);
  }
  return items;
}

function inspect(value, seen, indent, depth) {
  switch (typeof value) {
    case "string": return quote(value);
    case "number": return ObjectIs(value, -0) ? "-0" : StringCtor(value);
    case "bigint": return ReflectApply(BigIntToString, value, []) + "n";
    case "boolean": return value ? "true" : "false";
    case "undefined": return "undefined";
    case "symbol": return ReflectApply(SymbolToString, value, []);
    case "function": return formatFunction(value);
  }
  if (value === null) return "null";
  if (seen.includes(value)) return "[Circular]";
  // a total budget: 100 items per level at depth 4 could otherwise mean 10^10 entries
  seen.nodes = (seen.nodes || 0) + 1;
  if (seen.nodes > MAX_NODES) return "...";
  const depthExceeded = depth > MAX_DEPTH;
  seen.push(value);
  try {
    if (ArrayIsArray(value)) {
      if (depthExceeded) return "[Array]";
      const items = [];
      const length = value.length;
      for (let i = 0; i < length && i < MAX_ITEMS; i++) {
        items.push(i in value ? inspect(value[i], seen, indent + 1, depth + 1) : "<empty>");
      }
      if (length > MAX_ITEMS) items.push("... " + (length - MAX_ITEMS) + " more items");
      return join("[", items, "]", indent, "");
    }
    if (has(ErrorProto, value)) return formatError(value, indent);
    if (has(DateProto, value)) {
      const time = ReflectApply(DateGetTime, value, []);
      return time === time ? ReflectApply(DateToISOString, value, []) : "Invalid Date";
    }
    if (has(RegExpProto, value)) return ReflectApply(RegExpToString, value, []);
    if (has(MapProto, value)) {
      const size = ReflectApply(MapSize, value, []);
      if (depthExceeded) return "[Map]";
      const items = [];
      for (const [k, v] of ReflectApply(MapEntries, value, [])) {
        if (items.length >= MAX_ITEMS) { items.push("... " + (size - MAX_ITEMS) + " more items"); break; }
        items.push(inspect(k, seen, indent + 1, depth + 1) + " => " + inspect(v, seen, indent + 1, depth + 1));
      }
      return join("{", items, "}", indent, "Map(" + size + ")");
    }
    if (has(SetProto, value)) {
      const size = ReflectApply(SetSize, value, []);
      if (depthExceeded) return "[Set]";
      const items = [];
      for (const v of ReflectApply(SetValues, value, [])) {
        if (items.length >= MAX_ITEMS) { items.push("... " + (size - MAX_ITEMS) + " more items"); break; }
        items.push(inspect(v, seen, indent + 1, depth + 1));
      }
      return join("{", items, "}", indent, "Set(" + size + ")");
    }
    if (has(TypedArrayProto, value)) {
      const length = ReflectApply(TypedArrayLength, value, []);
      const items = [];
      for (let i = 0; i < length && i < MAX_ITEMS; i++) items.push(inspect(value[i], seen, indent + 1, depth + 1));
      if (length > MAX_ITEMS) items.push("... " + (length - MAX_ITEMS) + " more items");
      return join("[", items, "]", indent, ReflectApply(TypedArrayName, value, []) + "(" + length + ")");
    }
    if (has(ArrayBuffer.prototype, value)) return "ArrayBuffer { byteLength: " + ReflectApply(ArrayBufferByteLength, value, []) + " }";
    if (has(PromiseProto, value)) return "Promise { <pending or settled: await it to see the value> }";
    const proto = ObjectGetPrototypeOf(value);
    const name = proto === null ? "[Object: null prototype]" : proto === ObjectPrototype ? "" : constructorName(value) || "Object";
    if (depthExceeded) return "[" + (name || "Object") + "]";
    const items = formatProperties(value, ReflectOwnKeys(value), seen, indent, depth);
    return join("{", items, "}", indent, name);
  } catch (error) {
    return "[object could not be printed]";
  } finally {
    seen.pop();
  }
}

/** console.log formatting: strings as-is at top level, printf-style %s %d %i %f %j %o %O %%. */
function formatArguments(args) {
  let first = 0;
  let text = "";
  if (typeof args[0] === "string" && args.length > 1 && args[0].includes("%")) {
    let index = 1;
    text = args[0].replace(/%[sdifjoOc%]/g, (token) => {
      if (token === "%%") return "%";
      if (index >= args.length) return token;
      const arg = args[index++];
      switch (token) {
        case "%s": return typeof arg === "string" ? arg : inspect(arg, [], 0, 1);
        case "%d": case "%i": return typeof arg === "bigint" ? StringCtor(arg) + "n" : StringCtor(token === "%i" ? Math.trunc(Number(arg)) : Number(arg));
        case "%f": return StringCtor(Number(arg));
        case "%j": try { return JSONStringify(arg); } catch (e) { return "[Circular]"; }
        case "%c": return "";
        default: return inspect(arg, [], 0, 0);
      }
    });
    first = index;
  } else if (args.length > 0) {
    text = typeof args[0] === "string" ? args[0] : inspect(args[0], [], 0, 0);
    first = 1;
  }
  for (let i = first; i < args.length; i++) {
    const arg = args[i];
    text += " " + (typeof arg === "string" ? arg : inspect(arg, [], 0, 0));
  }
  return text;
}

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

// ---- tools ----------------------------------------------------------------
let toolNames = new SetCtor();

async function callTool(name, args) {
  let json;
  try {
    json = JSONStringify(args);
  } catch (error) {
    throw new TypeErrorCtor("The arguments of " + name + "() must be JSON values: " + describeError(error).message);
  }
  const reply = await bridge.apply(undefined, [name, json], { result: { promise: true, copy: true } });
  const envelope = JSONParse(reply);
  if (envelope.error) {
    const error = new ErrorCtor(envelope.error.message);
    if (envelope.error.name !== "Error") ObjectDefineProperty(error, "name", { value: envelope.error.name, writable: true, configurable: true });
    throw error;
  }
  return "value" in envelope ? envelope.value : undefined;
}

function setTools(names) {
  const next = new SetCtor(names);
  for (const name of toolNames) {
    if (!next.has(name) && G[name] && G[name].__codeactTool === true) delete G[name];
  }
  for (const name of next) {
    const tool = { [name]: async function (...args) { return callTool(name, args); } }[name];
    ObjectDefineProperty(tool, "__codeactTool", { value: true });
    ObjectDefineProperty(G, name, { value: tool, writable: true, configurable: true, enumerable: false });
  }
  toolNames = next;
}

// ---- snapshots ------------------------------------------------------------
const baseline = new SetCtor(ObjectGetOwnPropertyNames(G));

/** Plain JSON data only, within the size cap; else null. */
function jsonOf(value) {
  let budget = maxVariableChars;
  const ancestors = [];
  function check(v) {
    switch (typeof v) {
      case "string": budget -= v.length + 2; return budget >= 0;
      case "number": budget -= 8; return NumberIsFinite(v);
      case "boolean": budget -= 5; return true;
      case "object": break;
      default: return false;
    }
    if (v === null) { budget -= 4; return true; }
    if (ancestors.includes(v) || ancestors.length > 100) return false;
    const proto = ObjectGetPrototypeOf(v);
    const isArray = ArrayIsArray(v);
    if (!isArray && proto !== ObjectPrototype && proto !== null) return false;
    if (ObjectGetOwnPropertySymbols(v).length > 0) return false;
    ancestors.push(v);
    try {
      for (const key of ObjectKeys(v)) {
        if (isArray && key === "length") continue;
        const d = ObjectGetOwnPropertyDescriptor(v, key);
        if (!d || !("value" in d)) return false;
        budget -= key.length + 4;
        if (budget < 0 || !check(d.value)) return false;
      }
      if (isArray) for (let i = 0; i < v.length; i++) if (!(i in v)) return false;
    } finally {
      ancestors.pop();
    }
    return budget >= 0;
  }
  if (!check(value)) return null;
  const json = JSONStringify(value);
  return json.length <= maxVariableChars ? json : null;
}

function snapshot() {
  const saved = { __proto__: null };
  const unsaved = [];
  for (const name of ObjectGetOwnPropertyNames(G)) {
    if (baseline.has(name) || toolNames.has(name)) continue;
    const d = ObjectGetOwnPropertyDescriptor(G, name);
    if (!d) continue;
    if (!("value" in d)) { unsaved.push(name); continue; }
    if (d.value === undefined) continue;
    let json = null;
    try { json = jsonOf(d.value); } catch (e) {}
    if (json === null) unsaved.push(name);
    else saved[name] = json;
  }
  return { __proto__: null, saved, unsaved };
}

function restore(entries) {
  const restored = [];
  for (const name of ObjectKeys(entries)) {
    if (baseline.has(name) || !IDENTIFIER.test(name)) continue;
    ObjectDefineProperty(G, name, { value: JSONParse(entries[name]), writable: true, configurable: true, enumerable: true });
    restored.push(name);
  }
  return restored;
}

// ---- cells ------------------------------------------------------------------
async function run(script, names) {
  // null prototype: user setters on Object.prototype cannot intercept our writes
  const result = { __proto__: null, chunks: 0 };
  if (names !== null) setTools(names);
  try {
    const boxed = await indirectEval(script);
    const value = ArrayIsArray(boxed) ? boxed[0] : undefined;
    if (value !== undefined) result.value = inspect(value, [], 0, 0);
  } catch (error) {
    result.error = describeError(error);
  }
  try {
    result.snapshot = snapshot();
  } catch (error) {
    result.snapshot = { __proto__: null, saved: { __proto__: null }, unsaved: [] };
  }
  result.chunks = chunkCount;
  return result;
}

return { run, setTools, restore };
`;
