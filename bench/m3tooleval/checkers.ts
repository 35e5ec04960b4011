/**
 * Answer extraction and the two checkers.
 *
 * - {@link checkFaithful} reproduces upstream's `Task.check_answer`, quirks
 *   included: the answer string is compared with the expected value, then
 *   both go through "int, else float, else str" (so "161" passes for 161.25:
 *   `int(161.25) == 161`), then `ast.literal_eval` of the answer is compared
 *   by `str()` with the expected value (upstream's second comparison always
 *   raises a TypeError, so only that `str()` comparison decides). Lists,
 *   dicts and tuples must match Python's repr exactly.
 * - {@link checkNormalized} parses both sides (JSON or Python literal), treats
 *   lists and tuples alike, `true` and `True` alike, strips quotes and
 *   whitespace, and accepts numbers within {@link NORMALIZED_RELATIVE_TOLERANCE}
 *   or equal when rounded to 2 decimals.
 */
import type { M3Task } from "./data.js";
import {
  PyDict,
  PyFloat,
  PyTuple,
  literalEval,
  pythonFloatOfString,
  pythonIntOfString,
  pythonStr,
  type PyValue,
} from "./python-values.js";

/** Relative difference under which two numbers count as equal (normalized checker). */
export const NORMALIZED_RELATIVE_TOLERANCE = 0.01;

/**
 * The answer in a final reply: the text after the first `Answer:` (any case,
 * markdown emphasis allowed) up to the end of its line, or the next non-empty
 * line when that is empty; without an `Answer:` line, the whole reply.
 * Upstream takes everything after `Answer:`; ours stops at the line's end so
 * an explanation after the answer does not spoil it.
 */
export function extractAnswer(reply: string): string {
  const lines = reply.split(/\r?\n/);
  for (let index = 0; index < lines.length; index += 1) {
    const match = /^[\s>*_#-]*answer\s*[*_]*\s*:\s*[*_]*(.*)$/i.exec(lines[index] ?? "");
    if (!match) continue;
    let answer = (match[1] ?? "").replace(/[*_]+\s*$/, "").trim();
    if (answer === "") {
      answer = lines.slice(index + 1).find((line) => line.trim() !== "")?.trim() ?? "";
    }
    return answer;
  }
  return reply.trim();
}

type Converted = number | string;

// Upstream's `_try_to_convert_to_correct_type` on a string.
function convertString(text: string): Converted {
  const integer = pythonIntOfString(text);
  if (integer !== undefined) return Number(integer);
  const float = pythonFloatOfString(text);
  if (float !== undefined) return float;
  return text;
}

class PythonTypeError extends Error {}

// The same on the expected value: int() of a float truncates; of a list raises TypeError.
function convertExpected(task: M3Task): Converted {
  const expected = task.expected_output;
  switch (task.expected_output_python_type) {
    case "int":
      return Number(expected);
    case "float": {
      const value = Number(expected);
      if (Number.isNaN(value)) return value;
      if (!Number.isFinite(value)) throw new PythonTypeError("OverflowError");
      return Math.trunc(value);
    }
    case "bool":
      return expected === true ? 1 : 0;
    case "str":
      return convertString(String(expected));
    default:
      throw new PythonTypeError(`int() argument must be a string or a number`);
  }
}

/** Upstream's `check_answer`, quirks included. */
export function checkFaithful(answer: string, task: M3Task): boolean {
  let current: PyValue = answer;
  try {
    if (task.expected_output_python_type === "str" && answer === task.expected_output) return true;
    const convertedAnswer = convertString(answer);
    const convertedExpected = convertExpected(task);
    if (convertedAnswer === convertedExpected) return true;
    current = literalEval(answer);
    // Upstream's next line calls the expected value (a missing `or`): TypeError.
    throw new PythonTypeError("object is not callable");
  } catch {
    return pythonStr(current) === task.expected_output_python_str;
  }
}

type Normal =
  | { kind: "number"; value: number }
  | { kind: "string"; value: string }
  | { kind: "bool"; value: boolean }
  | { kind: "none" }
  | { kind: "sequence"; items: Normal[] }
  | { kind: "mapping"; entries: Map<string, Normal> };

function normalKey(value: Normal): string {
  switch (value.kind) {
    case "number":
      return String(value.value);
    case "string":
      return value.value;
    case "bool":
      return String(value.value);
    default:
      return JSON.stringify(value);
  }
}

function fromPython(value: PyValue): Normal {
  if (typeof value === "string") return { kind: "string", value: value.trim() };
  if (typeof value === "number") return { kind: "number", value };
  if (typeof value === "bigint") return { kind: "number", value: Number(value) };
  if (typeof value === "boolean") return { kind: "bool", value };
  if (value === null || value === undefined) return { kind: "none" };
  if (value instanceof PyFloat) return { kind: "number", value: value.value };
  if (value instanceof PyTuple) return { kind: "sequence", items: value.items.map(fromPython) };
  if (value instanceof PyDict) {
    return {
      kind: "mapping",
      entries: new Map(value.entries.map(([key, item]) => [normalKey(fromPython(key)), fromPython(item)])),
    };
  }
  if (Array.isArray(value)) return { kind: "sequence", items: (value as PyValue[]).map(fromPython) };
  const record = value as Record<string, unknown>;
  // The tuple marker of tasks.jsonl.
  if (Object.keys(record).length === 1 && Array.isArray(record.__tuple__)) {
    return { kind: "sequence", items: (record.__tuple__ as PyValue[]).map(fromPython) };
  }
  return {
    kind: "mapping",
    entries: new Map(Object.entries(record).map(([key, item]) => [key.trim(), fromPython(item as PyValue)])),
  };
}

const QUOTES = /^(["'`])([\s\S]*)\1$/;

function stripQuotes(text: string): string {
  let current = text.trim();
  for (let match = QUOTES.exec(current); match; match = QUOTES.exec(current)) {
    current = (match[2] ?? "").trim();
  }
  return current;
}

function parseAnswer(answer: string): Normal {
  const text = stripQuotes(answer);
  try {
    return fromPython(JSON.parse(text) as PyValue);
  } catch {
    // not JSON
  }
  try {
    return fromPython(literalEval(text));
  } catch {
    return { kind: "string", value: text };
  }
}

function numberOf(value: Normal): number | undefined {
  if (value.kind === "number") return value.value;
  if (value.kind === "string") {
    const parsed = pythonFloatOfString(value.value);
    return parsed !== undefined && Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

function closeEnough(a: number, b: number): boolean {
  if (a === b) return true;
  if (Math.abs(a - b) <= NORMALIZED_RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b))) return true;
  return Math.round(a * 100) === Math.round(b * 100);
}

function boolOf(value: Normal): boolean | undefined {
  if (value.kind === "bool") return value.value;
  if (value.kind === "string" && /^(true|false)$/i.test(value.value)) {
    return value.value.toLowerCase() === "true";
  }
  return undefined;
}

function sameNormal(a: Normal, b: Normal): boolean {
  if (a.kind === "bool" || b.kind === "bool") {
    const x = boolOf(a);
    return x !== undefined && x === boolOf(b);
  }
  if (a.kind === "number" || b.kind === "number") {
    const x = numberOf(a);
    const y = numberOf(b);
    return x !== undefined && y !== undefined && closeEnough(x, y);
  }
  if (a.kind === "string" && b.kind === "string") return stripQuotes(a.value) === stripQuotes(b.value);
  if (a.kind === "none" || b.kind === "none") return a.kind === b.kind;
  if (a.kind === "sequence" && b.kind === "sequence") {
    return a.items.length === b.items.length && a.items.every((item, index) => sameNormal(item, b.items[index] as Normal));
  }
  if (a.kind === "mapping" && b.kind === "mapping") {
    if (a.entries.size !== b.entries.size) return false;
    for (const [key, item] of a.entries) {
      const other = b.entries.get(key);
      if (other === undefined || !sameNormal(item, other)) return false;
    }
    return true;
  }
  return false;
}

/** The lenient checker: parsed values, list = tuple, True = true, numbers within tolerance. */
export function checkNormalized(answer: string, task: M3Task): boolean {
  return sameNormal(parseAnswer(answer), fromPython(task.expected_output as PyValue));
}

/** Both checkers' verdicts. */
export interface CheckResult {
  faithful: boolean;
  normalized: boolean;
}

/** Runs both checkers. */
export function checkAnswer(answer: string, task: M3Task): CheckResult {
  return { faithful: checkFaithful(answer, task), normalized: checkNormalized(answer, task) };
}
