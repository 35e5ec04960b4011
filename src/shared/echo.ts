import { clip } from "./clip.js";

/** Longest part of an invalid value echoed back in an error (a junk value may be megabytes). */
export const MAX_ECHOED_VALUE_CHARS = 500;

/** A value as JSON for an error message, cut to a readable length. */
export function echoValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return clip(text, MAX_ECHOED_VALUE_CHARS);
}
