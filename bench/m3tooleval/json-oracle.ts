/**
 * The JSON-mode oracle: a scripted tool-calling model for the JSON baseline.
 *
 * A task's reference JavaScript code (`oracle/javascript.ts`; for the web
 * tasks a directed variant, {@link directedWebCode}) is run once with recording tools to
 * learn its tool-call sequence. The model then makes those calls one per turn
 * (upstream's JSON mode is one action per turn) and, once it has seen every
 * result, answers with what the reference code prints when it is run again
 * on the results decoded from the tool messages it saw. So the answer depends
 * on what the JSON tool plumbing delivered, and a task whose code needs more
 * calls than the turn budget allows fails as it would for a real model.
 */
import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import type { BaseChatModelParams } from "@langchain/core/language_models/chat_models";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { tool, type StructuredToolInterface } from "@langchain/core/tools";
import type { Executor } from "../../src/executors/types.js";
import { createToolFunctions, messageText } from "../../src/index.js";
import type { M3Task } from "./data.js";
import { JAVASCRIPT_ORACLES } from "./oracle/javascript.js";
import { literalEval, toJsValue } from "./python-values.js";
import { createM3Tools } from "./tools/index.js";

/** One call of the reference code, as recorded with the value-format tools. */
export interface OracleToolCall {
  name: string;
  /** The tool's input after its schema parsed it: the tool call's arguments. */
  args: Record<string, unknown>;
  /** The tool's result as code sees it (absent when the tool threw). */
  result?: unknown;
  /** The tool's error message, when it threw. */
  error?: string;
}

/** A tool call the model made and the content of the tool message answering it. */
export interface ObservedToolCall {
  name: string;
  args: Record<string, unknown>;
  content: string;
}

/** The oracle's next move: one tool call, or the final answer. */
export type JsonOracleAction =
  | { kind: "call"; name: string; args: Record<string, unknown> }
  | { kind: "answer"; text: string };

const WEB_HELPERS = `function priceIn(view) { return view.match(/\\$([0-9.]+)/g).at(-1).slice(1); }
function fieldIn(view, label) { return view.split("\\n").find((line) => line.startsWith(label + ": ")).slice(label.length + 2); }
function linksIn(view) { return [...view.matchAll(/\\[Clickable '([^']+)'\\]/g)].map((match) => match[1]); }
function slug(text) { return text.toLowerCase().replace(/ /g, "_"); }
// Opens a page; the Customer Support link on /team says '_' where the page name has '-'.
async function open(url) {
  const view = await click_url(url);
  return view.startsWith("[URL not found") ? await click_url(url.replace(/_/g, "-")) : view;
}
// The links of the open page, scrolling only while more views remain.
async function pageLinks(view) {
  const links = [];
  for (;;) {
    links.push(...linksIn(view));
    const [, current, count] = /\\[Viewing page (\\d+) of (\\d+)\\]/.exec(view) ?? [];
    if (Number(current) >= Number(count)) return links;
    view = await scroll_down();
    if (view.startsWith("[Reached the bottom")) return links;
  }
}
// Searches the teams one by one for the person's page, as a reader would.
async function personPage(name) {
  for (const team of linksIn(await click_url("/team"))) {
    const link = (await pageLinks(await open(team))).find((url) => url.endsWith("/" + slug(name)));
    if (link) return await click_url(link);
  }
  throw new Error("no page for " + name);
}
function itemPage(item) {
  const words = item.split(" ");
  return "/products/" + slug(words.slice(1).join(" ")) + "/" + slug(item);
}
`;

const PERSON_FIELDS: Readonly<Record<string, string>> = {
  email: "fieldIn(view, 'Email')",
  phone_number: "fieldIn(view, 'Phone')",
  expertise: "fieldIn(view, 'Expertise')",
  department: "/ of (.+) Department/.exec(view)[1]",
};

/**
 * Directed reference code for the web tasks. The CodeAct oracles crawl the
 * whole site (about 120 calls, cheap in one code action); a tool-calling
 * model has 10 turns, so the JSON oracle navigates the way a reader of the
 * site would, with its parameters read from the instruction.
 */
export function directedWebCode(task: M3Task): string | undefined {
  const name = task.name.replace(/^web_browsing\//, "");
  const quoted = (text: string) => JSON.stringify(text);
  const field = /^(email|phone_number|expertise|department)_of_/.exec(name)?.[1];
  const person = /(?:of|department of) ([A-Z][a-z]+ [A-Z][a-z]+)\./.exec(task.instruction)?.[1];
  if (field !== undefined && person !== undefined) {
    return `${WEB_HELPERS}const view = await personPage(${quoted(person)});\nconsole.log(${PERSON_FIELDS[field]});`;
  }
  const item = /^Find the current price of (.+)\.\n/.exec(task.instruction)?.[1];
  if (name.startsWith("price_of_") && item !== undefined) {
    return `${WEB_HELPERS}const category = (await pageLinks(await click_url("/products"))).find((url) => itemPage(${quoted(item)}).startsWith(url + "/"));
await click_url(category);
console.log(priceIn(await click_url(itemPage(${quoted(item)}))));`;
  }
  const items = /^Find the total price of \[([^\]]+)\]/.exec(task.instruction)?.[1]?.split(", ");
  if (name.startsWith("total_price_of_selected_items") && items !== undefined) {
    const discount = name.includes("after_discount") ? " * 0.9" : "";
    return `${WEB_HELPERS}const prices = [];
for (const item of ${JSON.stringify(items)}) prices.push(priceIn(await click_url(itemPage(item))));
console.log(await calculator("(" + prices.join(" + ") + ")${discount}"));`;
  }
  const department = /^How many people are in the (.+) Department\?/.exec(task.instruction)?.[1];
  if (department !== undefined) {
    return `${WEB_HELPERS}const team = linksIn(await click_url("/team")).find((url) => url.endsWith("/" + slug(${quoted(department)})));
console.log((await pageLinks(await open(team))).length);`;
  }
  const phone = /^Which person's phone number is (.+)\?/.exec(task.instruction)?.[1];
  if (phone !== undefined) {
    return `${WEB_HELPERS}const team = linksIn(await click_url("/team")).find((url) => url.endsWith("/customer_support"));
for (const link of await pageLinks(await open(team))) {
  const view = await click_url(link);
  if (fieldIn(view, "Phone") === ${quoted(phone)}) { console.log(/^(.+) of /m.exec(view.split("\\n").find((line) => / of .+ Department$/.test(line)))[1]); break; }
}`;
  }
  return undefined;
}

/** The reference code the JSON oracle follows for a task. */
export function jsonOracleCode(task: M3Task): string | undefined {
  return task.domain === "web_browsing" ? directedWebCode(task) : JAVASCRIPT_ORACLES[task.name];
}

/** Thrown by replay tools when the reference code leaves the observed path. */
class ReplayMismatch extends Error {
  override name = "ReplayMismatch";
}

/** A task's recorded tool-call sequence, and how to answer from observations. */
export class JsonOracle {
  readonly task: M3Task;
  /** The calls the reference code makes, in order. */
  readonly calls: readonly OracleToolCall[];
  /** What the reference code printed in the recording run. */
  readonly output: string;
  readonly #code: string;
  readonly #executor: Executor;

  private constructor(task: M3Task, code: string, executor: Executor, calls: OracleToolCall[], output: string) {
    this.task = task;
    this.#code = code;
    this.#executor = executor;
    this.calls = calls;
    this.output = output;
  }

  /**
   * Runs the task's reference code on `executor` (a JavaScript executor) with
   * recording tools. Throws when there is no reference code or it fails.
   */
  static async record(task: M3Task, executor: Executor): Promise<JsonOracle> {
    const code = jsonOracleCode(task);
    if (code === undefined) throw new Error(`no JavaScript oracle for ${task.name}`);
    const calls: OracleToolCall[] = [];
    const tools = createM3Tools(task.domain, { resultFormat: "value" }).map((original) =>
      withImplementation(original, async (input) => {
        try {
          const result: unknown = await original.invoke(input);
          calls.push({ name: original.name, args: input, result });
          return result;
        } catch (error) {
          calls.push({ name: original.name, args: input, error: errorText(error) });
          throw error;
        }
      })
    );
    const run = await executor.execute({
      code,
      sessionId: `m3-json-oracle-${randomUUID()}`,
      tools: createToolFunctions(tools, { language: "javascript" }),
    });
    if (run.error) throw new Error(`oracle of ${task.name} failed: ${run.error.name}: ${run.error.message}`);
    return new JsonOracle(task, code, executor, calls, run.output.trim());
  }

  /**
   * The next move after the tool calls observed so far: the next recorded
   * call, or, when all were made, the answer the reference code computes from
   * the observed results. A deviation from the recorded path becomes an
   * answer naming it (which the checkers then reject).
   */
  async next(observed: readonly ObservedToolCall[]): Promise<JsonOracleAction> {
    for (const [index, seen] of observed.entries()) {
      const expected = this.calls[index];
      if (expected === undefined || expected.name !== seen.name || !isDeepStrictEqual(expected.args, seen.args)) {
        return { kind: "answer", text: `unexpected tool call #${index + 1}: ${seen.name}` };
      }
    }
    const upcoming = this.calls[observed.length];
    if (upcoming !== undefined) return { kind: "call", name: upcoming.name, args: upcoming.args };
    return { kind: "answer", text: await this.#answerFrom(observed) };
  }

  /** Reruns the reference code with each tool answering from the observations. */
  async #answerFrom(observed: readonly ObservedToolCall[]): Promise<string> {
    let position = 0;
    const tools = createM3Tools(this.task.domain).map((original) =>
      withImplementation(original, async (input) => {
        const seen = observed[position];
        const recorded = this.calls[position];
        position += 1;
        if (seen === undefined || recorded === undefined || seen.name !== original.name || !isDeepStrictEqual(seen.args, input)) {
          throw new ReplayMismatch(`call #${position} (${original.name}) was not observed`);
        }
        if (recorded.error !== undefined) throw new Error(seen.content);
        // Python's str() of a string is the string; anything else is its repr.
        return typeof recorded.result === "string" ? seen.content : toJsValue(literalEval(seen.content));
      })
    );
    const run = await this.#executor.execute({
      code: this.#code,
      sessionId: `m3-json-oracle-${randomUUID()}`,
      tools: createToolFunctions(tools, { language: "javascript" }),
    });
    if (run.error) return `the reference code failed on the observed results: ${run.error.name}: ${run.error.message}`;
    return run.output.trim();
  }
}

/** A tool with `original`'s name, description and schema running `implementation`. */
function withImplementation(
  original: StructuredToolInterface,
  implementation: (input: Record<string, unknown>) => Promise<unknown>
): StructuredToolInterface {
  return tool(implementation, {
    name: original.name,
    description: original.description,
    schema: original.schema as never,
  }) as unknown as StructuredToolInterface;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The tool calls in a thread, each with the content of the tool message answering it, in order. */
export function observedToolCalls(messages: readonly BaseMessage[]): ObservedToolCall[] {
  const calls = new Map<string, { name: string; args: Record<string, unknown> }>();
  const observed: ObservedToolCall[] = [];
  for (const message of messages) {
    if (AIMessage.isInstance(message)) {
      for (const call of message.tool_calls ?? []) {
        if (call.id !== undefined) calls.set(call.id, { name: call.name, args: call.args });
      }
    } else if (ToolMessage.isInstance(message)) {
      const call = calls.get(message.tool_call_id);
      if (call) observed.push({ ...call, content: messageText(message.content) });
    }
  }
  return observed;
}

/** Parameters of {@link JsonOracleChatModel}. */
export interface JsonOracleChatModelParams extends BaseChatModelParams {
  oracle: JsonOracle;
}

/**
 * A tool-calling chat model driven by a {@link JsonOracle}: one tool call per
 * reply, then `Answer: <answer>`. `bindTools` keeps the model as it is (the
 * oracle knows the tools), which is all `createReactAgent` needs.
 */
export class JsonOracleChatModel extends BaseChatModel {
  readonly #oracle: JsonOracle;

  constructor(params: JsonOracleChatModelParams) {
    super(params);
    this.#oracle = params.oracle;
  }

  _llmType(): string {
    return "m3tooleval-json-oracle";
  }

  override bindTools(): this {
    return this;
  }

  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const action = await this.#oracle.next(observedToolCalls(messages));
    const message =
      action.kind === "call"
        ? new AIMessage({
            content: "",
            tool_calls: [{ id: `call_${randomUUID()}`, name: action.name, args: action.args, type: "tool_call" }],
          })
        : new AIMessage(`Answer: ${action.text}`);
    return { generations: [{ text: messageText(message.content), message }] };
  }
}
