/**
 * Oracles played by the replay server, so the real `ChatOpenAI` (in process
 * or in the CLI's child process) drives the M3ToolEval runner over HTTP.
 */
import type { M3Task } from "../../bench/m3tooleval/data.js";
import type { JsonOracle, ObservedToolCall } from "../../bench/m3tooleval/json-oracle.js";
import { JAVASCRIPT_ORACLES } from "../../bench/m3tooleval/oracle/javascript.js";
import { PYTHON_ORACLES } from "../../bench/m3tooleval/oracle/python.js";
import { RETRY_MESSAGE } from "../../bench/m3tooleval/runner.js";
import { printedOutput } from "../../bench/m3tooleval/scripted-model.js";
import type {
  ChatRequestBody,
  ChatRequestMessage,
  ReplayReply,
  ReplayResponse,
} from "../support/replay-server.js";

/** More scripted replies than any test here needs (10 turns per task). */
const SCRIPT_LENGTH = 400;

/** The text of a wire message's content. */
export function wireText(message: ChatRequestMessage | undefined): string {
  const content = message?.content;
  if (typeof content === "string") return content;
  return (content ?? []).map((part) => part.text ?? "").join("");
}

/** The task a request belongs to: its first user message is the instruction. */
export function taskOfRequest(body: ChatRequestBody, tasks: readonly M3Task[]): M3Task {
  const instruction = wireText(body.messages.find((message) => message.role === "user"));
  const task = tasks.find((candidate) => candidate.instruction === instruction);
  if (!task) throw new Error(`no task with instruction ${JSON.stringify(instruction.slice(0, 80))}`);
  return task;
}

/** The tool calls in the request, each with its tool message's content. */
export function observedFromWire(messages: readonly ChatRequestMessage[]): ObservedToolCall[] {
  const calls = new Map<string, { name: string; args: Record<string, unknown> }>();
  const observed: ObservedToolCall[] = [];
  for (const message of messages) {
    for (const call of message.tool_calls ?? []) {
      calls.set(call.id, { name: call.function.name, args: JSON.parse(call.function.arguments) as Record<string, unknown> });
    }
    const call = message.role === "tool" && message.tool_call_id !== undefined ? calls.get(message.tool_call_id) : undefined;
    if (call) observed.push({ ...call, content: wireText(message) });
  }
  return observed;
}

function script(reply: (body: ChatRequestBody) => Promise<string | ReplayReply> | string | ReplayReply): ReplayResponse[] {
  return Array.from({ length: SCRIPT_LENGTH }, () => (body: ChatRequestBody) => reply(body));
}

/** Replies of the JSON oracle of each request's task (one tool call per reply, then the answer). */
export function jsonOracleScript(oracles: ReadonlyMap<string, JsonOracle>, tasks: readonly M3Task[]): ReplayResponse[] {
  return script(async (body) => {
    const task = taskOfRequest(body, tasks);
    const oracle = oracles.get(task.name);
    if (!oracle) throw new Error(`no JSON oracle recorded for ${task.name}`);
    const action = await oracle.next(observedFromWire(body.messages));
    return action.kind === "call"
      ? { toolCalls: [{ name: action.name, arguments: action.args }] }
      : { content: `Answer: ${action.text}` };
  });
}

/**
 * Replies of the CodeAct oracle: the task's reference code after the
 * instruction (or a retry request), `Answer: <printed output>` after an
 * observation.
 */
export function codeActOracleScript(language: "javascript" | "python", tasks: readonly M3Task[]): ReplayResponse[] {
  const oracles = language === "python" ? PYTHON_ORACLES : JAVASCRIPT_ORACLES;
  return script((body) => {
    const task = taskOfRequest(body, tasks);
    const last = wireText(body.messages.at(-1));
    if (last === task.instruction || last === RETRY_MESSAGE) {
      return `Let me compute it.\n\`\`\`${language}\n${oracles[task.name] ?? ""}\n\`\`\``;
    }
    return `Answer: ${printedOutput(last)}`;
  });
}
