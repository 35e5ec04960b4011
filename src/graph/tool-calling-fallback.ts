/**
 * The tool-calling fallback (`toolCallingFallback`): a thread whose model
 * keeps failing the code format switches to plain JSON tool calls, the way
 * `createReactAgent` works — the same tools, bound to the model, each call
 * run and answered with a `ToolMessage`. Off by default; once a thread
 * switched, it stays switched (`state.actionMode`).
 */
import { AIMessage, SystemMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { StructuredToolInterface } from "@langchain/core/tools";
import { createObservation } from "./messages.js";

/** How a thread acts: by writing code (the default), or by tool calls after the fallback. */
export type ActionMode = "code" | "tool_calling";

/** The system prompt of a thread that acts by tool calls. */
export function toolCallingSystemMessage(userPrompt: string | undefined, maxSteps: number): SystemMessage {
  const lines = [
    "You complete tasks by calling the tools you are given, with tool calls.",
    "Call a tool when you need its result; you see each result in the next message.",
    `At most ${maxSteps} rounds of tool calls can run for one request.`,
    "When you are done, reply with the final answer in plain text, with no tool call.",
  ];
  const extra = userPrompt?.trim();
  return new SystemMessage(extra ? `${lines.join("\n")}\n\n${extra}` : lines.join("\n"));
}

/** The note the model reads when its thread switches to tool calls. */
export function switchedObservation(formatErrors: number): BaseMessage {
  return createObservation(
    `Your last ${formatErrors} replies could not be read as code, so this conversation now uses tool calls instead: ` +
      "call the tools directly with tool calls, and reply in plain text when you are done.",
    { kind: "format_error" }
  );
}

/** The tool calls of a reply, if it is an AI message with any. */
export function toolCallsOf(message: BaseMessage | undefined): NonNullable<AIMessage["tool_calls"]> {
  return message !== undefined && AIMessage.isInstance(message) ? (message.tool_calls ?? []) : [];
}

/**
 * Runs a reply's tool calls with the tools, in order; a failing or unknown
 * tool is answered with an error `ToolMessage`, as a tool node would.
 */
export async function runToolCalls(
  message: BaseMessage | undefined,
  tools: readonly StructuredToolInterface[],
  config: RunnableConfig
): Promise<ToolMessage[]> {
  const answers: ToolMessage[] = [];
  for (const call of toolCallsOf(message)) {
    const id = call.id ?? "";
    const tool = tools.find((candidate) => candidate.name === call.name);
    if (tool === undefined) {
      answers.push(new ToolMessage({ content: `Error: there is no tool named ${call.name}; the tools are ${tools.map((t) => t.name).join(", ")}.`, tool_call_id: id, name: call.name, status: "error" }));
      continue;
    }
    try {
      const output: unknown = await tool.invoke({ ...call, type: "tool_call" }, config);
      answers.push(
        ToolMessage.isInstance(output)
          ? output
          : new ToolMessage({ content: typeof output === "string" ? output : JSON.stringify(output), tool_call_id: id, name: call.name })
      );
    } catch (error) {
      answers.push(
        new ToolMessage({ content: `Error: ${error instanceof Error ? error.message : String(error)}`, tool_call_id: id, name: call.name, status: "error" })
      );
    }
  }
  return answers;
}
