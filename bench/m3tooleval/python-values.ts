/**
 * A small model of Python values, so the benchmark can print and compare
 * answers the way the upstream (Python) harness does: `str()` / `repr()`,
 * `ast.literal_eval`, and `int()` / `float()` on strings.
 *
 * Ints are `bigint` (exact, like Python's), floats are {@link PyFloat} when
 * the int/float distinction matters; a plain JS `number` is printed as an int
 * when it is integral and as a float otherwise.
 */

/** A Python float whose value happens to be integral still prints as `7.0`. */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** A Python tuple: prints as `('A', 3)`. */
export class PyTuple {
  constructor(readonly items: readonly PyValue[]) {}
}

/** A Python dict, whose keys need not be strings. */
export class PyDict {
  constructor(readonly entries: ReadonlyArray<readonly [PyValue, PyValue]>) {}
}

/** The values this module prints and compares. */
export type PyValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | PyFloat
  | PyTuple
  | PyDict
  | readonly PyValue[]
  | { readonly [key: string]: PyValue };

/** Python's `repr(float)`: the shortest round-trip digits, `1e+16`, `7.0`. */
export function formatPythonFloat(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  // toExponential() without digits gives the shortest round-trip mantissa.
  const [mantissa = "", exponentText = "0"] = value.toExponential().split("e");
  const exponent = Number(exponentText);
  const sign = mantissa.startsWith("-") ? "-" : "";
  const digits = mantissa.replace("-", "").replace(".", "");
  // Python switches to scientific notation outside 1e-4 <= |x| < 1e16.
  if (exponent < -4 || exponent >= 16) {
    const body = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const exponentDigits = String(Math.abs(exponent)).padStart(2, "0");
    return `${sign}${body}e${exponent < 0 ? "-" : "+"}${exponentDigits}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  const integerPart = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0");
  const fraction = digits.slice(exponent + 1);
  return `${sign}${integerPart}.${fraction === "" ? "0" : fraction}`;
}

function formatPlainNumber(value: number): string {
  if (Number.isInteger(value)) return BigInt(value).toString();
  return formatPythonFloat(value);
}

/** Python's `repr(str)`: single quotes unless the text has `'` and no `"`. */
export function pythonStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let body = "";
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === "\\") body += "\\\\";
    else if (char === quote) body += `\\${quote}`;
    else if (char === "\n") body += "\\n";
    else if (char === "\r") body += "\\r";
    else if (char === "\t") body += "\\t";
    else if (code < 0x20 || code === 0x7f) body += `\\x${code.toString(16).padStart(2, "0")}`;
    else body += char;
  }
  return `${quote}${body}${quote}`;
}

/** Python's `repr()` of a value. */
export function pythonRepr(value: PyValue): string {
  if (typeof value === "string") return pythonStringRepr(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return formatPlainNumber(value);
  if (typeof value === "boolean") return value ? "True" : "False";
  if (value === null || value === undefined) return "None";
  if (value instanceof PyFloat) return formatPythonFloat(value.value);
  if (value instanceof PyTuple) {
    const items = value.items.map(pythonRepr);
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
  }
  if (value instanceof PyDict) {
    const entries = value.entries.map(([key, item]) => `${pythonRepr(key)}: ${pythonRepr(item)}`);
    return `{${entries.join(", ")}}`;
  }
  if (Array.isArray(value)) return `[${(value as readonly PyValue[]).map(pythonRepr).join(", ")}]`;
  const record = value as { readonly [key: string]: PyValue };
  const entries = Object.entries(record).map(
    ([key, item]) => `${pythonStringRepr(key)}: ${pythonRepr(item)}`
  );
  return `{${entries.join(", ")}}`;
}

/** Python's `str()` of a value: strings as they are, anything else as `repr()`. */
export function pythonStr(value: PyValue): string {
  return typeof value === "string" ? value : pythonRepr(value);
}

/** Converts a Python value to plain JSON-like JS (tuples become arrays). */
export function toJsValue(value: PyValue): unknown {
  if (typeof value === "bigint") return Number(value);
  if (value instanceof PyFloat) return value.value;
  if (value instanceof PyTuple) return value.items.map(toJsValue);
  if (value instanceof PyDict) {
    return Object.fromEntries(value.entries.map(([key, item]) => [pythonStr(key), toJsValue(item)]));
  }
  if (Array.isArray(value)) return (value as readonly PyValue[]).map(toJsValue);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, PyValue>).map(([key, item]) => [key, toJsValue(item)])
    );
  }
  return value;
}

const INT_PATTERN = /^[+-]?\d+(?:_\d+)*$/;
const FLOAT_PATTERN =
  /^[+-]?(?:(?:\d+(?:_\d+)*)?\.\d+(?:_\d+)*|\d+(?:_\d+)*\.?)(?:[eE][+-]?\d+(?:_\d+)*)?$/;
const SPECIAL_FLOAT_PATTERN = /^[+-]?(?:inf|infinity|nan)$/i;

/** Python's `int(text)` for a string: the number, or undefined (ValueError). */
export function pythonIntOfString(text: string): bigint | undefined {
  const trimmed = text.trim();
  return INT_PATTERN.test(trimmed) ? BigInt(trimmed.replace(/_/g, "")) : undefined;
}

/** Python's `float(text)` for a string: the number, or undefined (ValueError). */
export function pythonFloatOfString(text: string): number | undefined {
  const trimmed = text.trim();
  if (SPECIAL_FLOAT_PATTERN.test(trimmed)) {
    const negative = trimmed.startsWith("-");
    if (/nan/i.test(trimmed)) return Number.NaN;
    return negative ? -Infinity : Infinity;
  }
  return FLOAT_PATTERN.test(trimmed) ? Number(trimmed.replace(/_/g, "")) : undefined;
}

/** The error `literalEval` throws for text that is not a Python literal. */
export class LiteralSyntaxError extends Error {
  override name = "LiteralSyntaxError";
}

/**
 * Python's `ast.literal_eval` for the literals answers use: numbers, strings
 * (with `r`/`u` prefixes and adjacent concatenation), `True`/`False`/`None`,
 * lists, tuples and dicts, and unary `+`/`-` on numbers. Throws
 * {@link LiteralSyntaxError} for anything else (sets, complex numbers,
 * expressions, names).
 */
export function literalEval(text: string): PyValue {
  const parser = new LiteralParser(text.replace(/^[ \t]+/, ""));
  const value = parser.parseTop();
  return value;
}

class LiteralParser {
  #text: string;
  #position = 0;

  constructor(text: string) {
    this.#text = text;
  }

  parseTop(): PyValue {
    this.#skipSpace(false);
    const first = this.#parseValue(false);
    this.#skipSpace(false);
    // A bare `1, 2` is a tuple in eval mode.
    if (this.#peek() === ",") {
      const items: PyValue[] = [first];
      while (this.#peek() === ",") {
        this.#position += 1;
        this.#skipSpace(false);
        if (this.#atEnd()) break;
        items.push(this.#parseValue(false));
        this.#skipSpace(false);
      }
      this.#skipSpace(true);
      this.#expectEnd();
      return new PyTuple(items);
    }
    this.#skipSpace(true);
    this.#expectEnd();
    return first;
  }

  #expectEnd(): void {
    if (!this.#atEnd()) this.#fail(`unexpected '${this.#text.slice(this.#position, this.#position + 10)}'`);
  }

  #atEnd(): boolean {
    return this.#position >= this.#text.length;
  }

  #peek(): string {
    return this.#text[this.#position] ?? "";
  }

  #fail(message: string): never {
    throw new LiteralSyntaxError(`malformed literal: ${message}`);
  }

  // Newlines are only whitespace inside brackets (or trailing at the end).
  #skipSpace(newlines: boolean): void {
    const pattern = newlines ? /[ \t\r\n\f]/ : /[ \t\f]/;
    while (!this.#atEnd() && pattern.test(this.#peek())) this.#position += 1;
  }

  #parseValue(nested: boolean): PyValue {
    this.#skipSpace(nested);
    const char = this.#peek();
    if (char === "[") return this.#parseSequence("]", nested);
    if (char === "(") return this.#parseSequence(")", nested);
    if (char === "{") return this.#parseDict();
    if (char === "-" || char === "+") {
      this.#position += 1;
      const operand = this.#parseValue(nested);
      if (typeof operand === "bigint") return char === "-" ? -operand : operand;
      if (operand instanceof PyFloat) return new PyFloat(char === "-" ? -operand.value : operand.value);
      this.#fail("unary operator on a non-number");
    }
    if (/[0-9.]/.test(char)) return this.#parseNumber();
    const stringStart = /^([rRuU]?)(['"])/.exec(this.#text.slice(this.#position, this.#position + 2));
    if (stringStart) return this.#parseStrings(nested);
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.#text.slice(this.#position))?.[0];
    if (word === "True" || word === "False" || word === "None") {
      this.#position += word.length;
      return word === "True" ? true : word === "False" ? false : null;
    }
    this.#fail(word ? `name '${word}'` : `unexpected '${char}'`);
  }

  #parseNumber(): PyValue {
    const rest = this.#text.slice(this.#position);
    const radix = /^0([xXoObB])([0-9a-fA-F_]+)/.exec(rest);
    if (radix) {
      this.#position += radix[0].length;
      const prefix = (radix[1] ?? "").toLowerCase();
      return BigInt(`0${prefix}${(radix[2] ?? "").replace(/_/g, "")}`);
    }
    const match = /^(?:\d+(?:_\d+)*)?(?:\.(?:\d+(?:_\d+)*)?)?(?:[eE][+-]?\d+(?:_\d+)*)?/.exec(rest);
    const literal = match?.[0] ?? "";
    if (literal === "" || literal === ".") this.#fail("bad number");
    this.#position += literal.length;
    if (/^[jJ]/.test(this.#peek())) this.#fail("complex numbers are not supported");
    const digits = literal.replace(/_/g, "");
    if (/^\d+$/.test(digits)) {
      if (/^0\d/.test(digits) && /[1-9]/.test(digits)) this.#fail("leading zeros in an int");
      return BigInt(digits);
    }
    return new PyFloat(Number(digits));
  }

  #parseStrings(nested: boolean): string {
    let result = "";
    // Adjacent literals concatenate: 'a' "b" == 'ab'.
    for (;;) {
      const start = /^([rRuU]?)(['"])/.exec(this.#text.slice(this.#position, this.#position + 2));
      if (!start) break;
      this.#position += start[0].length;
      result += this.#parseStringBody(start[2] ?? "'", (start[1] ?? "").toLowerCase() === "r");
      this.#skipSpace(nested);
    }
    return result;
  }

  #parseStringBody(quote: string, raw: boolean): string {
    let result = "";
    for (;;) {
      if (this.#atEnd()) this.#fail("unterminated string");
      const char = this.#peek();
      this.#position += 1;
      if (char === quote) return result;
      if (char === "\n") this.#fail("newline in string");
      if (char !== "\\") {
        result += char;
        continue;
      }
      const next = this.#peek();
      this.#position += 1;
      if (raw) {
        result += `\\${next}`;
        continue;
      }
      const simple: Record<string, string> = {
        n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', a: "\x07", b: "\b", f: "\f", v: "\v", "0": "\0", "\n": "",
      };
      if (next === "x" || next === "u" || next === "U") {
        const length = next === "x" ? 2 : next === "u" ? 4 : 8;
        const hex = this.#text.slice(this.#position, this.#position + length);
        if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(hex)) this.#fail("bad escape");
        this.#position += length;
        result += String.fromCodePoint(Number.parseInt(hex, 16));
      } else if (next in simple) {
        result += simple[next];
      } else {
        result += `\\${next}`;
      }
    }
  }

  #parseSequence(close: "]" | ")", _nested: boolean): PyValue {
    this.#position += 1;
    const items: PyValue[] = [];
    let sawComma = false;
    for (;;) {
      this.#skipSpace(true);
      if (this.#peek() === close) {
        this.#position += 1;
        break;
      }
      items.push(this.#parseValue(true));
      this.#skipSpace(true);
      if (this.#peek() === ",") {
        this.#position += 1;
        sawComma = true;
        continue;
      }
      if (this.#peek() !== close) this.#fail(`expected '${close}'`);
    }
    if (close === "]") return items;
    // `(x)` is just x; `(x,)` and `()` are tuples.
    if (items.length === 1 && !sawComma) return items[0] ?? null;
    return new PyTuple(items);
  }

  #parseDict(): PyValue {
    this.#position += 1;
    const entries: Array<readonly [PyValue, PyValue]> = [];
    for (;;) {
      this.#skipSpace(true);
      if (this.#peek() === "}") {
        this.#position += 1;
        break;
      }
      const key = this.#parseValue(true);
      this.#skipSpace(true);
      if (this.#peek() !== ":") this.#fail("sets are not supported");
      this.#position += 1;
      const value = this.#parseValue(true);
      const existing = entries.findIndex(([other]) => pythonRepr(other) === pythonRepr(key));
      if (existing >= 0) entries[existing] = [entries[existing]?.[0] ?? key, value];
      else entries.push([key, value]);
      this.#skipSpace(true);
      if (this.#peek() === ",") {
        this.#position += 1;
        continue;
      }
      if (this.#peek() !== "}") this.#fail("expected '}'");
    }
    return new PyDict(entries);
  }
}
