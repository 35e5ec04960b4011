/**
 * Node-like formatting of values for console output and a cell's value:
 * bounded in depth, items, nodes and string length.
 * Part of the guest runtime's source (see runtime.ts): evaluated inside the
 * isolate, never in the host.
 */
export const GUEST_INSPECT = String.raw`

const MAX_DEPTH = 4;
const MAX_ITEMS = 100;
const MAX_NODES = 2000;
const MAX_STRING_CHARS = 10000;
const LINE_WIDTH = 72;
const IDENTIFIER = ownPattern(/^[A-Za-z_$][A-Za-z0-9_$]*$/);

function has(proto, value) {
  for (let p = ObjectGetPrototypeOf(value); p !== null; p = ObjectGetPrototypeOf(p)) {
    if (p === proto) return true;
  }
  return false;
}

function quote(text) {
  let body = text.length > MAX_STRING_CHARS
    ? stringSlice(text, 0, MAX_STRING_CHARS) + "... " + (text.length - MAX_STRING_CHARS) + " more characters"
    : text;
  body = replaceText(stringSlice(JSONStringify(body), 1, -1), '\\"', '"');
  if (!stringIncludes(body, "'")) return "'" + body + "'";
  if (!stringIncludes(body, '"')) return '"' + body + '"';
  return "'" + replaceText(body, "'", "\\'") + "'";
}

function formatKey(key) {
  if (typeof key === "symbol") return "[" + ReflectApply(SymbolToString, key, []) + "]";
  return matches(IDENTIFIER, key) ? key : quote(key);
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
  const single = head + open + " " + joinTexts(items, ", ") + " " + close;
  if (single.length <= LINE_WIDTH && !stringIncludes(single, "\n")) return single;
  const pad = stringRepeat("  ", indent + 1);
  return head + open + "\n" + pad + joinTexts(items, ",\n" + pad) + "\n" + stringRepeat("  ", indent) + close;
}

function formatFunction(value) {
  let source = "";
  try { source = ReflectApply(FunctionToString, value, []); } catch (e) {}
  const name = typeof value.name === "string" && value.name ? value.name : "";
  if (stringStartsWith(source, "class")) return "[class " + (name || "(anonymous)") + "]";
  const kind = stringSlice(ReflectApply(ObjectToString, value, []), 8, -1);
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
  if (indent > 0) stack = "[" + splitText(stack, "\n")[0] + "]";
  return stack;
}

function formatProperties(value, keys, seen, indent, depth) {
  const items = [];
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k];
    const d = ObjectGetOwnPropertyDescriptor(value, key);
    if (!d || (typeof key === "string" && !d.enumerable) || (typeof key === "symbol" && !d.enumerable)) continue;
    let shown;
    if (d.get || d.set) shown = d.get && d.set ? "[Getter/Setter]" : d.get ? "[Getter]" : "[Setter]";
    else shown = inspect(d.value, seen, indent + 1, depth + 1);
    pushTo(items, formatKey(key) + ": " + shown);
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
  if (ReflectApply(ArrayIncludes, seen, [value])) return "[Circular]";
  // a total budget: 100 items per level at depth 4 could otherwise mean 10^10 entries
  seen.nodes = (seen.nodes || 0) + 1;
  if (seen.nodes > MAX_NODES) return "...";
  const depthExceeded = depth > MAX_DEPTH;
  pushTo(seen, value);
  try {
    if (ArrayIsArray(value)) {
      if (depthExceeded) return "[Array]";
      const items = [];
      const length = value.length;
      for (let i = 0; i < length && i < MAX_ITEMS; i++) {
        pushTo(items, i in value ? inspect(value[i], seen, indent + 1, depth + 1) : "<empty>");
      }
      if (length > MAX_ITEMS) pushTo(items, "... " + (length - MAX_ITEMS) + " more items");
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
      const entries = ReflectApply(MapEntries, value, []);
      for (let step = ReflectApply(MapIteratorNext, entries, []); !step.done; step = ReflectApply(MapIteratorNext, entries, [])) {
        if (items.length >= MAX_ITEMS) { pushTo(items, "... " + (size - MAX_ITEMS) + " more items"); break; }
        pushTo(items, inspect(step.value[0], seen, indent + 1, depth + 1) + " => " + inspect(step.value[1], seen, indent + 1, depth + 1));
      }
      return join("{", items, "}", indent, "Map(" + size + ")");
    }
    if (has(SetProto, value)) {
      const size = ReflectApply(SetSize, value, []);
      if (depthExceeded) return "[Set]";
      const items = [];
      const values = ReflectApply(SetValues, value, []);
      for (let step = ReflectApply(SetIteratorNext, values, []); !step.done; step = ReflectApply(SetIteratorNext, values, [])) {
        if (items.length >= MAX_ITEMS) { pushTo(items, "... " + (size - MAX_ITEMS) + " more items"); break; }
        pushTo(items, inspect(step.value, seen, indent + 1, depth + 1));
      }
      return join("{", items, "}", indent, "Set(" + size + ")");
    }
    if (has(TypedArrayProto, value)) {
      const length = ReflectApply(TypedArrayLength, value, []);
      const items = [];
      for (let i = 0; i < length && i < MAX_ITEMS; i++) pushTo(items, inspect(value[i], seen, indent + 1, depth + 1));
      if (length > MAX_ITEMS) pushTo(items, "... " + (length - MAX_ITEMS) + " more items");
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
    ReflectApply(ArrayPop, seen, []);
  }
}

/** One printf directive of console.log: %s %d %i %f %j %o %O %c. */
function formatDirective(letter, arg) {
  switch (letter) {
    case "s": return typeof arg === "string" ? arg : inspect(arg, [], 0, 1);
    case "d": case "i": return typeof arg === "bigint" ? StringCtor(arg) + "n" : StringCtor(letter === "i" ? MathTrunc(NumberCtor(arg)) : NumberCtor(arg));
    case "f": return StringCtor(NumberCtor(arg));
    case "j": try { return JSONStringify(arg); } catch (e) { return "[Circular]"; }
    case "c": return "";
    default: return inspect(arg, [], 0, 0);
  }
}

const DIRECTIVES = "sdifjoOc";

/** console.log formatting: strings as-is at top level, printf-style directives and %%. */
function formatArguments(args) {
  let first = 0;
  let text = "";
  if (typeof args[0] === "string" && args.length > 1 && stringIncludes(args[0], "%")) {
    const format = args[0];
    let index = 1;
    for (let at = 0; at < format.length; at++) {
      const letter = stringSlice(format, at + 1, at + 2);
      if (stringCharCodeAt(format, at) !== 37 /* % */ || letter === "") { text += stringSlice(format, at, at + 1); continue; }
      if (letter === "%") { text += "%"; at++; continue; }
      if (!stringIncludes(DIRECTIVES, letter) || index >= args.length) { text += "%" + letter; at++; continue; }
      text += formatDirective(letter, args[index++]);
      at++;
    }
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

`;
