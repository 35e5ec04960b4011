/**
 * The built-ins the runtime captures before user code runs, so code that
 * replaces `JSON`, `Object.keys`, `Map.prototype.entries`, … cannot break it.
 * Part of the guest runtime's source (see runtime.ts): evaluated inside the
 * isolate, never in the host.
 */
export const GUEST_PRIMORDIALS = String.raw`
"use strict";
const bridge = $0;
const output = $1;
const maxVariableChars = $2;
const G = globalThis;
// WebAssembly.Memory is allocated outside the heap isolated-vm limits: a 32 MB
// sandbox could commit gigabytes of host memory through it. Model code never needs it.
delete G.WebAssembly;
// Atomics.waitAsync with a timeout makes V8 post a delayed task, which
// isolated-vm's platform implements as std::terminate: the whole process
// (the host itself in "in-process" isolation) would abort. Model code never needs it.
delete G.Atomics.waitAsync;
// FinalizationRegistry callbacks run whenever the garbage collector decides,
// between cells too: code of a finished cell would run (and could spin) while
// no cell is running. The spec lets callbacks never run; removing it is clearer.
delete G.FinalizationRegistry;
// A host started with --expose-gc (or --expose-gc-as=NAME) gives every context V8's
// collector as an enumerable global, the only kind a fresh context has (built-ins are
// not enumerable). Model code must not force full collections: emptied (not configurable).
for (const name of Object.keys(G)) {
  const descriptor = Object.getOwnPropertyDescriptor(G, name);
  if (descriptor.configurable) delete G[name];
  else if (descriptor.writable) G[name] = undefined;
}
const indirectEval = G.eval;
const JSONStringify = JSON.stringify;
const JSONParse = JSON.parse;
const ObjectKeys = Object.keys;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const ObjectGetOwnPropertyNames = Object.getOwnPropertyNames;
const ObjectGetOwnPropertySymbols = Object.getOwnPropertySymbols;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectDefineProperty = Object.defineProperty;
const ObjectSetPrototypeOf = Object.setPrototypeOf;
const ObjectHasOwn = Object.hasOwn;
const ObjectPrototype = Object.prototype;
const ObjectToString = Object.prototype.toString;
const FunctionToString = Function.prototype.toString;
const ArrayIsArray = Array.isArray;
const ArrayPrototype = Array.prototype;
const ArraySort = Array.prototype.sort;
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
const PromiseCtor = Promise;
const PromiseProto = Promise.prototype;
const PromiseThen = PromiseProto.then;
// Methods the runtime calls on its own sets, arrays and patterns, taken now:
// model code that replaces Set.prototype.has or Array.prototype.push must not
// change what the snapshot sees.
const SetHas = Set.prototype.has;
const ArrayPush = Array.prototype.push;
const ArrayPop = Array.prototype.pop;
const ArrayIncludes = Array.prototype.includes;
const RegExpTest = RegExp.prototype.test;
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
const MathTrunc = Math.trunc;
const NumberCtor = Number;
const DateNow = Date.now;
const MapGet = Map.prototype.get;
const MapSet = Map.prototype.set;
const MapHas = Map.prototype.has;
const MapDelete = Map.prototype.delete;
const MapIteratorNext = ObjectGetPrototypeOf(new Map().entries()).next;
const SetIteratorNext = ObjectGetPrototypeOf(new Set().values()).next;

// Formatting and snapshots call these, never the prototypes model code can
// replace (String.prototype.slice, Array.prototype.join, RegExp.prototype.exec, ...).
// Index loops instead of for-of over arrays, for the same reason (the array iterator).
function uncurryThis(method) {
  return (self, ...args) => ReflectApply(method, self, args);
}
const stringSlice = uncurryThis(String.prototype.slice);
const stringIncludes = uncurryThis(String.prototype.includes);
const stringIndexOf = uncurryThis(String.prototype.indexOf);
const stringStartsWith = uncurryThis(String.prototype.startsWith);
const stringRepeat = uncurryThis(String.prototype.repeat);
const stringCharCodeAt = uncurryThis(String.prototype.charCodeAt);
const pushTo = uncurryThis(ArrayPush);
const RegExpExec = RegExp.prototype.exec;
/** A pattern of the runtime's: testing it uses the original exec even if model code replaced RegExp.prototype.exec. */
function ownPattern(pattern) {
  ObjectDefineProperty(pattern, "exec", { value: RegExpExec });
  return pattern;
}
function matches(pattern, text) {
  return ReflectApply(RegExpTest, pattern, [text]);
}
/** items.join(separator), without Array.prototype.join. */
function joinTexts(items, separator) {
  let text = "";
  for (let i = 0; i < items.length; i++) text += (i === 0 ? "" : separator) + items[i];
  return text;
}
/** text.split(separator) for a string separator, without String.prototype.split. */
function splitText(text, separator) {
  const parts = [];
  let start = 0;
  for (;;) {
    const at = stringIndexOf(text, separator, start);
    if (at === -1) break;
    pushTo(parts, stringSlice(text, start, at));
    start = at + separator.length;
  }
  pushTo(parts, stringSlice(text, start));
  return parts;
}
/** text.replaceAll(search, replacement) for plain strings. */
function replaceText(text, search, replacement) {
  return joinTexts(splitText(text, search), replacement);
}
`;
