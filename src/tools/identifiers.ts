import type { CodeLanguage } from "../executors/types.js";

/**
 * Words a tool may not be called in JavaScript: reserved words (including
 * strict-mode and future ones) and the globals the sandbox relies on, which a
 * tool must not shadow.
 */
const JAVASCRIPT_RESERVED: ReadonlySet<string> = new Set([
  // Reserved words, strict mode and contextual keywords that cannot bind.
  "await", "break", "case", "catch", "class", "const", "continue", "debugger",
  "default", "delete", "do", "else", "enum", "export", "extends", "false",
  "finally", "for", "function", "if", "implements", "import", "in",
  "instanceof", "interface", "let", "new", "null", "package", "private",
  "protected", "public", "return", "static", "super", "switch", "this",
  "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield",
  "arguments", "eval", "async", "of",
  // Globals the code (and the sandbox's own glue) uses.
  "console", "globalThis", "undefined", "NaN", "Infinity", "Object", "Array",
  "Function", "String", "Number", "Boolean", "Symbol", "BigInt", "Error",
  "TypeError", "RangeError", "SyntaxError", "Math", "JSON", "Date", "RegExp",
  "Map", "Set", "WeakMap", "WeakSet", "Promise", "Proxy", "Reflect",
  "parseInt", "parseFloat", "isNaN", "isFinite", "structuredClone",
]);

/** Python's hard keywords: the only words a parameter cannot be named. */
const PYTHON_KEYWORDS: ReadonlySet<string> = new Set([
  "False", "None", "True", "and", "as", "assert", "async", "await", "break",
  "class", "continue", "def", "del", "elif", "else", "except", "finally",
  "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
  "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
]);

/**
 * Words a tool may not be called in Python: keywords, soft keywords, the
 * builtins model code uses all the time, IPython's helpers, and the typing
 * names the generated stubs use.
 */
const PYTHON_RESERVED: ReadonlySet<string> = new Set([
  ...PYTHON_KEYWORDS,
  // Soft keywords.
  "match", "case", "type", "_",
  // Builtins.
  "abs", "aiter", "all", "anext", "any", "ascii", "bin", "bool", "breakpoint",
  "bytearray", "bytes", "callable", "chr", "classmethod", "compile",
  "complex", "delattr", "dict", "dir", "divmod", "enumerate", "eval", "exec",
  "filter", "float", "format", "frozenset", "getattr", "globals", "hasattr",
  "hash", "help", "hex", "id", "input", "int", "isinstance", "issubclass",
  "iter", "len", "list", "locals", "map", "max", "memoryview", "min", "next",
  "object", "oct", "open", "ord", "pow", "print", "property", "range", "repr",
  "reversed", "round", "set", "setattr", "slice", "sorted", "staticmethod",
  "str", "sum", "super", "tuple", "vars", "zip", "__import__", "exit", "quit",
  "Exception", "BaseException", "ValueError", "TypeError", "KeyError",
  // IPython and the stubs' typing names.
  "display", "get_ipython", "Any", "Literal", "Optional",
]);


const FALLBACK_IDENTIFIER = "tool";

/** Is `name` reserved (or a global we keep) in `language`? */
/**
 * Names every object inherits in JavaScript (`__proto__`, `constructor`,
 * `toString`, …): the host keeps tools in plain objects, where such a key
 * would vanish or shadow a built-in, so a tool is never called that.
 */
const OBJECT_MEMBER_NAMES: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  "prototype",
]);

function isReservedIdentifier(
  name: string,
  language: CodeLanguage
): boolean {
  return OBJECT_MEMBER_NAMES.has(name) || (language === "python" ? PYTHON_RESERVED : JAVASCRIPT_RESERVED).has(name);
}

/** Is `name` a plain ASCII identifier in both languages (`[A-Za-z_][A-Za-z0-9_]*`)? */
export function isPlainIdentifier(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

/** Can `name` be a Python parameter name (`def f(name=...)`)? */
export function isPythonParameterName(name: string): boolean {
  return isPlainIdentifier(name) && !PYTHON_KEYWORDS.has(name);
}

/**
 * Turns a tool name into an identifier the model's code can call.
 *
 * Runs of characters that are not ASCII letters, digits or `_` become one `_`
 * (accents are dropped first: `café` → `cafe`); a leading digit gets a `_`
 * prefix; a reserved word or kept global of `language` gets a `_` suffix; a
 * name already in `taken` gets `_2`, `_3`, …. The result is added to `taken`,
 * so calling this for each tool in order yields unique names.
 *
 * @example
 * sanitizeIdentifier("web-search", "javascript") // "web_search"
 * sanitizeIdentifier("1st tool", "python")       // "_1st_tool"
 * sanitizeIdentifier("delete", "javascript")     // "delete_"
 */
export function sanitizeIdentifier(
  name: string,
  language: CodeLanguage,
  taken?: Set<string>
): string {
  const parts = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .split(/[^A-Za-z0-9_]+/)
    .filter((part) => part !== "");
  let identifier = parts.join("_");
  if (identifier === "") identifier = FALLBACK_IDENTIFIER;
  if (/^[0-9]/.test(identifier)) identifier = `_${identifier}`;
  if (isReservedIdentifier(identifier, language)) identifier = `${identifier}_`;
  if (taken !== undefined) {
    const base = identifier;
    for (let suffix = 2; taken.has(identifier); suffix += 1) {
      identifier = `${base}_${suffix}`;
    }
    taken.add(identifier);
  }
  return identifier;
}

/**
 * The identifiers of `tools`, in order, deduplicated among themselves. The
 * sandbox functions, the TypeScript declarations and the Python stubs all use
 * this, so the names the prompt shows are the names the code can call.
 */
export function toolIdentifiers(
  tools: readonly { name: string }[],
  language: CodeLanguage
): string[] {
  const taken = new Set<string>();
  return tools.map((tool) => sanitizeIdentifier(tool.name, language, taken));
}
