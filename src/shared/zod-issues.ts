/**
 * The one formatter of schema-validation issues (zod 3 and 4, and anything
 * with the same `{ path, message }` shape), so a tool call, a structured
 * answer and an approval value report problems in the same words.
 */

/** The parts of a zod issue this formatter reads. */
export interface SchemaIssue {
  code?: string;
  path?: readonly PropertyKey[];
  message?: string;
  expected?: unknown;
}

/**
 * One line per issue, `path: problem` (the path dotted; none at the root),
 * joined by "; ". With `input`, a missing value reads `missing (expected T)`
 * instead of zod's "received undefined" wording.
 */
export function formatSchemaIssues(issues: readonly SchemaIssue[], input?: unknown): string {
  return describeSchemaIssues(issues, input).join("; ");
}

/** {@link formatSchemaIssues}'s lines, duplicates removed. */
export function describeSchemaIssues(issues: readonly SchemaIssue[], input?: unknown): string[] {
  const lines = issues.map((issue) => {
    const path = (issue.path ?? []).map(String);
    const missing = issue.code === "invalid_type" && valueAtPath(input, path) === undefined;
    const problem = missing
      ? `missing (expected ${String(issue.expected)})`
      : lowerFirst((issue.message ?? "invalid").replace(/^Invalid input: /, ""));
    return issueLine(path, problem);
  });
  return [...new Set(lines)];
}

/** `path: problem`, or the problem alone at the root. */
export function issueLine(path: readonly string[], problem: string): string {
  return path.length === 0 ? problem : `${path.join(".")}: ${problem}`;
}

/** `problem` with its first letter lower-cased, to read inside a sentence. */
export function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** The value at `path` inside `value` (own properties only), or undefined. */
export function valueAtPath(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
