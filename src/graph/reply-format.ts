/**
 * Reads a model reply as a code action, a final answer, or a reply in the
 * wrong shape — tolerant of the shapes small and mid-size models write
 * (see the README's "Reply formats"): fenced blocks (a tag with a file name
 * or attributes, a fence left open, smolagents' `<end_code>`), `<execute>`
 * and `<code>` tags, unfenced code after "Code:", JSON tool calls written as
 * text (run as a call to that tool when it exists), reasoning in `<think>`
 * (never run). Prose with inline `code` is an answer.
 */
import type { CodeLanguage } from "../executors/types.js";
import { extractCode } from "./extract-code.js";

/** How a reply was read. */
export type ReplyReading =
  | { kind: "code"; code: string; form: CodeForm }
  | { kind: "answer" }
  | { kind: "format_error"; problem: string };

/** Where the code came from, for traces and tests. */
export type CodeForm = "fence" | "tag" | "label" | "json_tool_call";

/** A tool as the reply may name it: its name, and the identifier code calls it by. */
export interface NamedTool {
  name: string;
  identifier: string;
}

const THINK = /<(think|thinking|reasoning)>[\s\S]*?<\/\1>/gi;
const OPEN_THINK = /<(think|thinking|reasoning)>/i;
const CODE_TAGS = /<(execute(?:_ipython|_python|_javascript|_js)?|code|python|javascript|js)>([\s\S]*?)(?:<\/\1>|$)/i;
const LABEL = /^[ \t>*_#]*(code|action)[ \t*_]*:[ \t]*(.*)$/im;
const CODE_LIKE = /[=(]|\bawait\b|\bimport\b|\bprint\b|console\.|\bdef\b|\bfor\b.*:|\breturn\b/;
const END_CODE = /<end_code>|<\/?end_action>/gi;
const TOOL_CALL_TAG = /<tool_call>([\s\S]*?)(?:<\/tool_call>|$)/i;
const JSON_FENCE = /```json[^\n]*\n([\s\S]*?)```/i;

/**
 * Reads `text` (the reply's text) for an agent of `language` whose code can
 * call `tools`. `checkedAnswer` is true when the answer will be validated
 * (a `responseFormat`): JSON in the reply is then the answer, not a call.
 */
export function readReply(
  text: string,
  language: CodeLanguage,
  tools: readonly NamedTool[] = [],
  checkedAnswer = false
): ReplyReading {
  const visible = withoutReasoning(text);
  if (visible === null) {
    return { kind: "format_error", problem: "Your reply had only reasoning (an unclosed <think> block) and no code or answer after it." };
  }
  const cleaned = visible.replace(END_CODE, "");
  if (cleaned.trim() === "") {
    return { kind: "format_error", problem: "Your reply was empty." };
  }
  const fenced = extractCode(cleaned, language);
  if (fenced !== null) {
    const call = checkedAnswer ? null : jsonToolCall(fenced, tools, language);
    if (call !== null) return call;
    return { kind: "code", code: fenced, form: "fence" };
  }
  // Only the other language's code: `route` corrects the language (see otherLanguageCode).
  if (extractCode(cleaned, language === "python" ? "javascript" : "python") !== null) return { kind: "answer" };
  const tagged = CODE_TAGS.exec(cleaned);
  if (tagged !== null) {
    const inner = (tagged[2] ?? "").trim();
    const code = extractCode(inner, language) ?? inner;
    if (code !== "") return { kind: "code", code, form: "tag" };
  }
  if (!checkedAnswer) {
    const call = jsonToolCall(cleaned, tools, language);
    if (call !== null) return call;
  }
  const label = LABEL.exec(cleaned);
  if (label !== null) {
    const after = [label[2] ?? "", ...cleaned.slice(label.index + label[0].length).split(/\r?\n/).slice(1)];
    const lines: string[] = [];
    for (const line of after) {
      if (/^\s*(observation|thought|final answer)\s*:/i.test(line)) break;
      lines.push(line);
    }
    const code = lines.join("\n").trim();
    if (code !== "") {
      if (/^[A-Za-z_]\w*\s*\[.*\]$/.test(code)) {
        return {
          kind: "format_error",
          problem: `\`${clip(code)}\` is a ReAct action, not code: write ${language === "python" ? "Python" : "JavaScript"} that calls the tool as a function, in a fenced block.`,
        };
      }
      // "Code: 4417" in an answer is not code: only text that reads like code is run.
      if (CODE_LIKE.test(code)) return { kind: "code", code, form: "label" };
    }
  }
  return { kind: "answer" };
}

/** The text without reasoning blocks; null when an unclosed one swallows the rest. */
function withoutReasoning(text: string): string | null {
  const closed = text.replace(THINK, "");
  const open = OPEN_THINK.exec(closed);
  if (open === null) return closed;
  const before = closed.slice(0, open.index);
  return before.trim() === "" ? null : before;
}

/**
 * A JSON tool call written as text (`{"name": …, "arguments": …}`, OpenAI's
 * `{"function": {…}}`, `<tool_call>` tags, a list of them): code that makes
 * the calls when every name is a tool, else a format error that says how
 * tools are called here. Null when the text is not such a call.
 */
function jsonToolCall(text: string, tools: readonly NamedTool[], language: CodeLanguage): ReplyReading | null {
  const candidates = [
    TOOL_CALL_TAG.exec(text)?.[1],
    /\[TOOL_CALLS\]\s*([\s\S]*)$/.exec(text)?.[1],
    JSON_FENCE.exec(text)?.[1],
    text,
  ];
  let parsed: unknown;
  for (const candidate of candidates) {
    const body = candidate?.trim();
    if (body === undefined || !/^[[{]/.test(body)) continue;
    try {
      parsed = JSON.parse(body);
      break;
    } catch {
      // Not JSON: the next candidate.
    }
  }
  if (parsed === undefined) return null;
  const calls = (Array.isArray(parsed) ? parsed : [parsed]).map(callOf);
  if (calls.length === 0 || calls.some((call) => call === null)) return null;
  const lines: string[] = [];
  for (const call of calls as Array<{ name: string; args: unknown }>) {
    const tool = tools.find((candidate) => candidate.name === call.name || candidate.identifier === call.name);
    if (tool === undefined) {
      const known = tools.map((candidate) => candidate.identifier).join(", ") || "none";
      return {
        kind: "format_error",
        problem:
          `You wrote a JSON tool call to ${JSON.stringify(call.name)}, which is not a tool here (tools: ${known}). ` +
          `Tools are functions: call them in a fenced ${language === "python" ? "Python" : "JavaScript"} block.`,
      };
    }
    lines.push(
      language === "python"
        ? `${tool.identifier}(**${pythonLiteral(call.args ?? {})})`
        : `await ${tool.identifier}(${JSON.stringify(call.args ?? {})})`
    );
  }
  return { kind: "code", code: lines.join("\n"), form: "json_tool_call" };
}

function callOf(value: unknown): { name: string; args: unknown } | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  const inner = typeof record["function"] === "object" && record["function"] !== null ? (record["function"] as Record<string, unknown>) : record;
  const name = [inner["name"], record["tool"], record["tool_name"], record["action"]].find((candidate) => typeof candidate === "string");
  if (typeof name !== "string") return null;
  const rawArgs = ["arguments", "args", "parameters", "input", "tool_input", "action_input"]
    .map((key) => inner[key] ?? record[key])
    .find((candidate) => candidate !== undefined);
  let args: unknown = rawArgs ?? {};
  if (typeof args === "string") {
    try {
      args = JSON.parse(args);
    } catch {
      return null;
    }
  }
  if (typeof args !== "object" || args === null || Array.isArray(args)) return null;
  const known = new Set(["name", "function", "tool", "tool_name", "action", "arguments", "args", "parameters", "input", "tool_input", "action_input", "type", "id"]);
  if (Object.keys(record).some((key) => !known.has(key))) return null;
  return { name, args };
}

/** A JSON value as a Python literal (JSON strings are valid Python strings; True, False, None). */
function pythonLiteral(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number" || typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonLiteral).join(", ")}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([key, item]) => `${JSON.stringify(key)}: ${pythonLiteral(item)}`)
    .join(", ")}}`;
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
