import { tool, type StructuredToolInterface } from "@langchain/core/tools";
import type { z } from "zod";
import { loadToolSpecs, type M3Domain } from "../data.js";
import { pythonStr, toJsValue, type PyValue } from "../python-values.js";

/**
 * How a tool hands back its result:
 * - `"value"`: as a JS value (numbers, strings, arrays, objects; tuples become
 *   arrays), for code actions, where upstream's tools return Python objects.
 * - `"python-str"`: as Python's `str()` of the result, cut at
 *   {@link MAX_OBSERVATION_CHARS} with upstream's marker: what upstream's JSON
 *   mode shows the model.
 */
export type M3ResultFormat = "value" | "python-str";

/** Options of `createM3Tools`. */
export interface CreateM3ToolsOptions {
  /** @defaultValue `"value"` */
  resultFormat?: M3ResultFormat;
}

/** Upstream truncates observations to this many characters. */
export const MAX_OBSERVATION_CHARS = 2_000;

/** Upstream's marker after a truncated observation. */
export const TRUNCATION_MARKER = "...\n[Output Truncated]";

/** A tool's behaviour before it is wrapped as a LangChain tool. */
export interface M3ToolDefinition<S extends z.ZodObject = z.ZodObject> {
  name: string;
  schema: S;
  /** Returns the Python-level result; throws an Error (Python's exception) on failure. */
  run(input: z.infer<S>): PyValue;
  /** Overrides the `"value"` conversion (the calculator returns a number). */
  toValue?(result: PyValue): unknown;
}

/** Declares a tool with its input type inferred from the schema. */
export function defineTool<S extends z.ZodObject>(definition: M3ToolDefinition<S>): M3ToolDefinition {
  return definition as unknown as M3ToolDefinition;
}

/** Python's exception text: `ValueError: message`. */
export function pythonError(type: string, message: string): Error {
  const error = new Error(message);
  error.name = type;
  return error;
}

/** Cuts text the way upstream's `execute_non_code` does. */
export function truncateObservation(text: string): string {
  return text.length > MAX_OBSERVATION_CHARS
    ? text.slice(0, MAX_OBSERVATION_CHARS) + TRUNCATION_MARKER
    : text;
}

/** Wraps definitions as LangChain tools with upstream's names and descriptions. */
export function buildTools(
  domain: M3Domain,
  definitions: readonly M3ToolDefinition[],
  options: CreateM3ToolsOptions = {}
): StructuredToolInterface[] {
  const specs = loadToolSpecs()[domain];
  const format = options.resultFormat ?? "value";
  return definitions.map((definition) => {
    const spec = specs[definition.name];
    if (!spec) throw new Error(`no upstream spec for ${domain}/${definition.name}`);
    return tool(
      (input: unknown) => {
        let result: PyValue;
        try {
          result = definition.run(input as never);
        } catch (error) {
          if (error instanceof Error && error.name !== "Error") {
            throw new Error(`${error.name}: ${error.message}`, { cause: error });
          }
          throw error;
        }
        if (format === "python-str") return truncateObservation(pythonStr(result));
        return definition.toValue ? definition.toValue(result) : toJsValue(result);
      },
      { name: definition.name, description: spec.description, schema: definition.schema }
    ) as unknown as StructuredToolInterface;
  });
}

/** Python's ordering for `min`/`max` over numbers, bools and strings. */
export function pythonLess(a: PyValue, b: PyValue): boolean {
  const numeric = (value: PyValue): number | undefined =>
    typeof value === "number" ? value : typeof value === "boolean" ? Number(value) : undefined;
  const x = numeric(a);
  const y = numeric(b);
  if (x !== undefined && y !== undefined) return x < y;
  if (typeof a === "string" && typeof b === "string") return a < b;
  if (Array.isArray(a) && Array.isArray(b)) {
    const left = a as readonly PyValue[];
    const right = b as readonly PyValue[];
    for (let index = 0; index < Math.min(left.length, right.length); index += 1) {
      if (pythonLess(left[index], right[index])) return true;
      if (pythonLess(right[index], left[index])) return false;
    }
    return left.length < right.length;
  }
  throw pythonError(
    "TypeError",
    `'<' not supported between instances of '${pythonTypeName(a)}' and '${pythonTypeName(b)}'`
  );
}

/** Python's type name of a value, for error messages. */
export function pythonTypeName(value: PyValue): string {
  if (typeof value === "string") return "str";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (value === null || value === undefined) return "NoneType";
  if (Array.isArray(value)) return "list";
  return "dict";
}

/** Python's `min(args)` / `max(args)`: the first smallest / largest item. */
export function pythonExtreme(kind: "min" | "max", items: readonly PyValue[]): PyValue {
  if (items.length === 0) throw pythonError("ValueError", `${kind}() arg is an empty sequence`);
  let best = items[0];
  for (const item of items.slice(1)) {
    if (kind === "min" ? pythonLess(item, best) : pythonLess(best, item)) best = item;
  }
  return best;
}
