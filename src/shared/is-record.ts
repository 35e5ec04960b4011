/** Is `value` a non-array object? (The one check for "a JSON object" that crossed a boundary.) */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
