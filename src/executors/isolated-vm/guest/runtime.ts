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
import { GUEST_DEFINITIONS } from "./definitions.js";
import { GUEST_INSPECT } from "./inspect.js";
import { GUEST_PRIMORDIALS } from "./primordials.js";

export const GUEST_RUNTIME_SOURCE = GUEST_PRIMORDIALS + GUEST_INSPECT + GUEST_CONSOLE + GUEST_DEFINITIONS + String.raw`
// ---- tools ----------------------------------------------------------------
// What a tool call a human rejected throws: a class, so code can catch it by type.
class ToolRejectedError extends ErrorCtor {
  constructor(message) {
    super(message);
    ObjectDefineProperty(this, "name", { value: "ToolRejectedError", writable: true, configurable: true });
  }
}
ObjectDefineProperty(G, "ToolRejectedError", { value: ToolRejectedError, writable: true, configurable: true, enumerable: false });

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
// Tool calls of the running cell not answered yet, counted where they start: a call the
// host has not even received when the cell returns is abandoned too.
let pendingCalls = 0;
const neverSettles = new PromiseCtor(() => {});

async function callTool(name, args) {
  let json;
  try {
    json = JSONStringify(args);
  } catch (error) {
    throw new TypeErrorCtor("The arguments of " + name + "() must be JSON values: " + describeError(error).message);
  }
  const calledIn = cellNumber;
  pendingCalls += 1;
  // null prototypes: options isolated-vm looks up cannot come from a polluted Object.prototype
  let reply;
  try {
    reply = await bridge.apply(undefined, [name, json], { __proto__: null, result: { __proto__: null, promise: true, copy: true } });
  } finally {
    if (calledIn === cellNumber) pendingCalls -= 1;
  }
  if (!cellRunning || calledIn !== cellNumber) await neverSettles;
  const envelope = JSONParse(reply);
  const failure = ObjectGetOwnPropertyDescriptor(envelope, "error");
  if (failure) {
    const rejected = failure.value.name === "ToolRejectedError";
    const error = rejected ? new ToolRejectedError(failure.value.message) : new ErrorCtor(failure.value.message);
    if (!rejected && failure.value.name !== "Error") ObjectDefineProperty(error, "name", { value: failure.value.name, writable: true, configurable: true });
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

/**
 * JSON text of plain data, or null (not JSON, over the size cap). Instances
 * of kept classes count as their own data; their paths go to \`classes\`.
 * Written here rather than by JSON.stringify, which would call toJSON
 * methods model code may have added to prototypes.
 */
function jsonOf(value, inEffect, classes) {
  let budget = maxVariableChars;
  const ancestors = [];
  const path = [];
  function write(v) {
    switch (typeof v) {
      case "string": budget -= v.length + 2; return budget >= 0 ? JSONStringify(v) : null;
      case "number": budget -= 8; return NumberIsFinite(v) ? JSONStringify(v) : null;
      case "boolean": budget -= 5; return v ? "true" : "false";
      case "object": break;
      default: return null;
    }
    if (v === null) { budget -= 4; return "null"; }
    if (ReflectApply(ArrayIncludes, ancestors, [v]) || ancestors.length > 100) return null;
    const proto = ObjectGetPrototypeOf(v);
    const isArray = ArrayIsArray(v);
    if (isArray ? proto !== ArrayPrototype : proto !== ObjectPrototype && proto !== null) {
      const className = isArray ? null : replayableClassOf(proto, inEffect);
      if (className === null) return null;
      const copy = [];
      for (let i = 0; i < path.length; i++) pushTo(copy, path[i]);
      pushTo(classes, { path: copy, className });
    }
    if (ObjectGetOwnPropertySymbols(v).length > 0) return null;
    const keys = ObjectKeys(v);
    if (isArray && keys.length !== v.length) return null; // holes, or keys JSON would drop
    pushTo(ancestors, v);
    try {
      let text = "";
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k];
        const d = ObjectGetOwnPropertyDescriptor(v, key);
        if (!d || !ObjectHasOwn(d, "value")) return null;
        budget -= key.length + 4;
        if (budget < 0) return null;
        pushTo(path, isArray ? k : key);
        const item = write(d.value);
        ReflectApply(ArrayPop, path, []);
        if (item === null) return null;
        text += (k === 0 ? "" : ",") + (isArray ? "" : JSONStringify(key) + ":") + item;
      }
      return isArray ? "[" + text + "]" : "{" + text + "}";
    } finally {
      ReflectApply(ArrayPop, ancestors, []);
    }
  }
  const json = write(value);
  return json !== null && json.length <= maxVariableChars ? json : null;
}

function snapshot() {
  const saved = { __proto__: null };
  const unsaved = [];
  const inEffect = definitionsInEffect();
  const kept = { __proto__: null };
  const code = [];
  for (let i = 0; i < inEffect.length; i++) {
    kept[inEffect[i][0]] = true;
    pushTo(code, { name: inEffect[i][0], source: inEffect[i][1].source });
  }
  const instances = {};
  const names = ObjectGetOwnPropertyNames(G);
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (ReflectApply(SetHas, baseline, [name]) || isToolName(name) || kept[name] === true) continue;
    const d = ObjectGetOwnPropertyDescriptor(G, name);
    if (!d) continue;
    if (!ObjectHasOwn(d, "value")) { pushTo(unsaved, name); continue; }
    if (d.value === undefined) continue;
    let json = null;
    const classes = [];
    try { json = jsonOf(d.value, inEffect, classes); } catch (e) {}
    if (json === null) { pushTo(unsaved, name); continue; }
    saved[name] = json;
    if (classes.length > 0) ObjectDefineProperty(instances, name, { value: classes, enumerable: true, configurable: true, writable: true });
  }
  return { __proto__: null, saved, unsaved, definitions: { code, instances } };
}

/**
 * Sets globals from JSON texts, replays the saved definitions, gives
 * instances their classes back. Returns the restored names and
 * [name, reason] of definitions and instances that could not come back.
 */
function restore(entries, definitions) {
  const restored = [];
  const names = ObjectKeys(entries);
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    // __proto__ would be read back through the prototype chain, not as a variable.
    if (ReflectApply(SetHas, baseline, [name]) || !matches(IDENTIFIER, name) || name === "__proto__") continue;
    let value;
    try {
      value = JSONParse(entries[name]);
    } catch (error) {
      continue; // not JSON: left out, so the host reports it lost
    }
    ObjectDefineProperty(G, name, { value, writable: true, configurable: true, enumerable: true });
    pushTo(restored, name);
  }
  const hasDefinitions = definitions !== null && typeof definitions === "object";
  const replayed = replayDefinitions(hasDefinitions ? definitions.code : []);
  const lost = replayed[1];
  const instancesLost = restoreInstances(hasDefinitions ? definitions.instances : null, restored);
  const gone = { __proto__: null };
  for (let i = 0; i < instancesLost.length; i++) {
    gone[instancesLost[i][0]] = true;
    pushTo(lost, instancesLost[i]);
  }
  const kept = [];
  for (let i = 0; i < restored.length; i++) if (gone[restored[i]] !== true) pushTo(kept, restored[i]);
  for (let i = 0; i < replayed[0].length; i++) pushTo(kept, replayed[0][i]);
  return { restored: kept, lost };
}

// ---- cells ------------------------------------------------------------------
async function run(script, names, candidates) {
  cellNumber += 1;
  pendingCalls = 0;
  cellRunning = true;
  try {
    return await runCell(script, names, candidates);
  } finally {
    cellRunning = false;
  }
}

async function runCell(script, names, candidates) {
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
    recordDefinitions(candidates);
    result.snapshot = snapshot();
  } catch (error) {
    // Never an empty snapshot in place of the saved one: the host keeps the last good one and says so.
    result.snapshotFailed = true;
  }
  result.chunks = chunkCount;
  result.pendingCalls = pendingCalls;
  return result;
}

return { run, setTools, restore };
`;

