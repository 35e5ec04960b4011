/**
 * The fast path of a tool call from code: when nothing listens (no callback
 * handler: no tracing, no streaming of tool events), a plain `tool()` tool is
 * called through its own function after its zod schema has parsed the input
 * — what `tool.invoke` does, minus the callback machinery that is most of its
 * cost (~0.15 ms a call). Anything that could behave differently stays on
 * `invoke`: other tool classes, overridden `invoke`/`call`/`_call`, tools
 * with their own callbacks or default config, `content_and_artifact`, JSON
 * schemas, and input the schema refuses (so its error is LangChain's own).
 */
import { ensureConfig, type RunnableConfig } from "@langchain/core/runnables";
import { DynamicStructuredTool, type StructuredToolInterface } from "@langchain/core/tools";
import { interopSafeParseAsync, isInteropZodSchema } from "@langchain/core/utils/types";

/** Returned when the direct call does not apply to this input: use `invoke`. */
export const USE_INVOKE = Symbol("codeact.useInvoke");

type DirectCall = (input: unknown, config: RunnableConfig | undefined) => Promise<unknown>;

const callers = new WeakMap<object, DirectCall | null>();

/** The tool's direct call, or undefined when it must always go through `invoke`. */
export function directCaller(tool: StructuredToolInterface): DirectCall | undefined {
  let caller = callers.get(tool);
  if (caller === undefined) {
    caller = eligible(tool) ? makeCaller(tool as DynamicStructuredTool) : null;
    callers.set(tool, caller);
  }
  return caller ?? undefined;
}

function eligible(tool: StructuredToolInterface): boolean {
  if (!(tool instanceof DynamicStructuredTool)) return false;
  const prototype = DynamicStructuredTool.prototype;
  const own = tool as DynamicStructuredTool & { defaultConfig?: unknown; callbacks?: unknown };
  return (
    own.invoke === prototype.invoke &&
    own.call === prototype.call &&
    (own as unknown as { _call: unknown })._call === (prototype as unknown as { _call: unknown })._call &&
    typeof own.func === "function" &&
    own.callbacks === undefined &&
    own.defaultConfig === undefined &&
    own.responseFormat !== "content_and_artifact" &&
    isInteropZodSchema(own.schema)
  );
}

function makeCaller(tool: DynamicStructuredTool): DirectCall {
  return async (input, config) => {
    const parsed = await interopSafeParseAsync(tool.schema as never, input);
    if (!parsed.success) return USE_INVOKE;
    const result: unknown = await tool.func(parsed.data as never, undefined, ensureConfig(config) as never);
    return isAsyncGenerator(result) ? lastValue(result) : result;
  };
}

function isAsyncGenerator(value: unknown): value is AsyncGenerator<unknown, unknown> {
  return typeof value === "object" && value !== null && typeof (value as AsyncGenerator).next === "function" && Symbol.asyncIterator in value;
}

/** What `invoke` makes of a streaming tool: its return value (its chunks go to callbacks, and none listen). */
async function lastValue(generator: AsyncGenerator<unknown, unknown>): Promise<unknown> {
  for (;;) {
    const step = await generator.next();
    if (step.done === true) return step.value;
  }
}
