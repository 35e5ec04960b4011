import { z } from "zod";
import { pythonIntOfString } from "../python-values.js";
import { defineTool, pythonError, pythonExtreme, type M3ToolDefinition } from "./define.js";

const HEX_DIGIT = /^[0-9a-fA-F]$/;
const ASCII_WHITESPACE = /^[ \t\n\r\f\v]$/;

/** Python's `bytes.fromhex(text).decode("utf-8")`. */
export function hexToAscii(text: string): string {
  const bytes: number[] = [];
  let position = 0;
  while (position < text.length) {
    // Whitespace is skipped between bytes, never inside one.
    if (ASCII_WHITESPACE.test(text[position] ?? "")) {
      position += 1;
      continue;
    }
    const high = text[position] ?? "";
    const low = text[position + 1] ?? "";
    if (!HEX_DIGIT.test(high)) throw nonHex(position);
    if (!HEX_DIGIT.test(low)) throw nonHex(position + 1);
    bytes.push(Number.parseInt(high + low, 16));
    position += 2;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    throw pythonError("UnicodeDecodeError", "'utf-8' codec can't decode the bytes: invalid UTF-8");
  }
}

function nonHex(position: number): Error {
  return pythonError("ValueError", `non-hexadecimal number found in fromhex() arg at position ${position}`);
}

/** Python's `int(value)` for a number or a numeric string. */
export function pythonInt(value: number | string): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw pythonError("ValueError", `cannot convert float ${value} to integer`);
    return Math.trunc(value);
  }
  const parsed = pythonIntOfString(value);
  if (parsed === undefined) {
    throw pythonError("ValueError", `invalid literal for int() with base 10: '${value}'`);
  }
  return Number(parsed);
}

/** Shifts letters back by `shift` (mod 26), keeping case; other characters stay. */
export function caesarDecode(message: string, shift: number): string {
  const decode = (char: string, base: number): string =>
    String.fromCharCode((((char.charCodeAt(0) - shift - base) % 26) + 26) % 26 + base);
  return [...message]
    .map((char) => (/^\p{Lu}$/u.test(char) ? decode(char, 65) : /^\p{Ll}$/u.test(char) ? decode(char, 97) : char))
    .join("");
}

const text = z.union([z.string(), z.number()]).transform(String);

export const messageDecoderTools: readonly M3ToolDefinition[] = [
  defineTool({
    name: "convert_hex_to_ascii",
    schema: z.object({ hex_string: text }),
    run: ({ hex_string }) => hexToAscii(hex_string),
  }),
  defineTool({
    name: "reverse_string",
    schema: z.object({ string: z.string() }),
    run: ({ string }) => [...string].reverse().join(""),
  }),
  defineTool({
    name: "caesar_decode",
    schema: z.object({ message: z.string(), shift: z.union([z.number(), z.string()]) }),
    run: ({ message, shift }) => caesarDecode(message, pythonInt(shift)),
  }),
  defineTool({
    name: "string_length",
    schema: z.object({ string: z.string() }),
    run: ({ string }) => [...string].length,
  }),
  defineTool({
    name: "minimum_value",
    schema: z.object({ args: z.array(z.union([z.number(), z.string()])) }),
    run: ({ args }) => pythonExtreme("min", args),
  }),
  defineTool({
    name: "maximum_value",
    schema: z.object({ args: z.array(z.union([z.number(), z.string()])) }),
    run: ({ args }) => pythonExtreme("max", args),
  }),
];
