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
export { GUEST_RUNTIME_FILENAME } from "./filename.js";

import { GUEST_CONSOLE } from "./console.js";
import { GUEST_INSPECT } from "./inspect.js";
import { GUEST_PRIMORDIALS } from "./primordials.js";

export const GUEST_RUNTIME_SOURCE = GUEST_PRIMORDIALS + GUEST_INSPECT + GUEST_CONSOLE + String.raw`
// ---- tools ----------------------------------------------------------------
// The tool names as a list and a lookup; no Set, whose prototype model code can replace.
let toolList = [];
let toolLookup = { __proto__: null };
function isToolName(name) {
  return toolLookup[name] === true;
}
// Which cell is running, if any: a tool reply reaching code whose cell has
// ended (an un-awaited loop, a stray callback) must not resume it.
let cellNumber = 0;
let cellRunning = false;
const neverSettles = new PromiseCtor(() => {});

async function callTool(name, args) {
  let json;
  try {
    json = JSONStringify(args);
  } catch (error) {
    throw new TypeErrorCtor("The arguments of " + name + "() must be JSON values: " + describeError(error).message);
  }
  const calledIn = cellNumber;
  // null prototypes: options isolated-vm looks up cannot come from a polluted Object.prototype
  const reply = await bridge.apply(undefined, [name, json], { __proto__: null, result: { __proto__: null, promise: true, copy: true } });
  if (!cellRunning || calledIn !== cellNumber) await neverSettles;
  const envelope = JSONParse(reply);
  const failure = ObjectGetOwnPropertyDescriptor(envelope, "error");
  if (failure) {
    const error = new ErrorCtor(failure.value.message);
    if (failure.value.name !== "Error") ObjectDefineProperty(error, "name", { value: failure.value.name, writable: true, configurable: true });
    throw error;
  }
  const value = ObjectGetOwnPropertyDescriptor(envelope, "value");
  return value ? value.value : undefined;
}

// A tool the model deleted or overwrote in an earlier cell is put back, so a
// tool never stays gone for the rest of the session.
function restoreMissingTools() {
  for (let i = 0; i < toolList.length; i++) {
    const current = ObjectGetOwnPropertyDescriptor(G, toolList[i]);
    if (current === undefined || !isOurTool(current.value)) {
      setTools(toolList);
      return;
    }
  }
}

function isOurTool(value) {
  if (typeof value !== "function") return false;
  const mark = ObjectGetOwnPropertyDescriptor(value, "__codeactTool");
  return mark !== undefined && mark.value === true;
}

function setTools(names) {
  const nextList = [];
  const nextLookup = { __proto__: null };
  for (let i = 0; i < names.length; i++) {
    if (nextLookup[names[i]] === true) continue;
    nextLookup[names[i]] = true;
    pushTo(nextList, names[i]);
  }
  for (let i = 0; i < toolList.length; i++) {
    const name = toolList[i];
    const current = ObjectGetOwnPropertyDescriptor(G, name);
    if (nextLookup[name] !== true && current !== undefined && isOurTool(current.value)) delete G[name];
  }
  for (let i = 0; i < nextList.length; i++) {
    const name = nextList[i];
    const tool = { [name]: async function (...args) { return callTool(name, args); } }[name];
    ObjectDefineProperty(tool, "__codeactTool", { value: true });
    ObjectDefineProperty(G, name, { value: tool, writable: true, configurable: true, enumerable: false });
  }
  toolList = nextList;
  toolLookup = nextLookup;
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
    if (ReflectApply(ArrayIncludes, ancestors, [v]) || ancestors.length > 100) return false;
    const proto = ObjectGetPrototypeOf(v);
    const isArray = ArrayIsArray(v);
    if (!isArray && proto !== ObjectPrototype && proto !== null) return false;
    if (ObjectGetOwnPropertySymbols(v).length > 0) return false;
    ReflectApply(ArrayPush, ancestors, [v]);
    try {
      const keys = ObjectKeys(v);
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k];
        if (isArray && key === "length") continue;
        const d = ObjectGetOwnPropertyDescriptor(v, key);
        if (!d || !("value" in d)) return false;
        budget -= key.length + 4;
        if (budget < 0 || !check(d.value)) return false;
      }
      if (isArray) for (let i = 0; i < v.length; i++) if (!(i in v)) return false;
    } finally {
      ReflectApply(ArrayPop, ancestors, []);
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
  const names = ObjectGetOwnPropertyNames(G);
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (ReflectApply(SetHas, baseline, [name]) || isToolName(name)) continue;
    const d = ObjectGetOwnPropertyDescriptor(G, name);
    if (!d) continue;
    if (!("value" in d)) { ReflectApply(ArrayPush, unsaved, [name]); continue; }
    if (d.value === undefined) continue;
    let json = null;
    try { json = jsonOf(d.value); } catch (e) {}
    if (json === null) ReflectApply(ArrayPush, unsaved, [name]);
    else saved[name] = json;
  }
  return { __proto__: null, saved, unsaved };
}

function restore(entries) {
  const restored = [];
  const names = ObjectKeys(entries);
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    // __proto__ would be read back through the prototype chain, not as a variable.
    if (ReflectApply(SetHas, baseline, [name]) || !ReflectApply(RegExpTest, IDENTIFIER, [name]) || name === "__proto__") continue;
    let value;
    try {
      value = JSONParse(entries[name]);
    } catch (error) {
      continue; // not JSON: left out, so the host reports it lost
    }
    ObjectDefineProperty(G, name, { value, writable: true, configurable: true, enumerable: true });
    ReflectApply(ArrayPush, restored, [name]);
  }
  return restored;
}

// ---- cells ------------------------------------------------------------------
async function run(script, names) {
  cellNumber += 1;
  cellRunning = true;
  try {
    return await runCell(script, names);
  } finally {
    cellRunning = false;
  }
}

async function runCell(script, names) {
  // null prototype: user setters on Object.prototype cannot intercept our writes
  const result = { __proto__: null, chunks: 0 };
  // Built-ins the runtime and isolated-vm rely on are put back each cell: a
  // cell that replaced Promise.prototype.then must not break the next one.
  if (PromiseProto.then !== PromiseThen) {
    ObjectDefineProperty(PromiseProto, "then", { value: PromiseThen, writable: true, configurable: true, enumerable: false });
  }
  if (names !== null) setTools(names);
  else restoreMissingTools();
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
    // Never an empty snapshot in place of the saved one: the host keeps the last good one and says so.
    result.snapshotFailed = true;
  }
  result.chunks = chunkCount;
  return result;
}

return { run, setTools, restore };
`;

