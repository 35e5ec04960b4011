/**
 * The `route` node's half of a tool approval: asks the human about the call
 * a paused cell waits on, with LangGraph's `interrupt()`, until the answer
 * is valid, and writes it into the cell's record for `execute` to carry out.
 */
import type { StructuredToolInterface } from "@langchain/core/tools";
import { interrupt } from "@langchain/langgraph";
import type { CodeLanguage, JsonValue } from "../../executors/types.js";
import { echoValue } from "../../shared/echo.js";
import { formatSchemaIssues } from "../../shared/zod-issues.js";
import { invalidToolInput } from "../../tools/tool-functions.js";
import {
  awaitingCall,
  TOOL_APPROVAL_INTERRUPT_TYPE,
  ToolApprovalDecisionSchema,
  type ToolApprovalDecision,
  type ToolApprovalRequest,
  type ToolApprovalState,
} from "./types.js";

/**
 * Interrupts until the human's answer to the waiting call is valid; returns
 * the record with that answer on the call. An invalid answer cannot be
 * thrown back (the thread would keep replaying it): the question is asked
 * again with what was wrong.
 */
export async function askToolApproval(
  approval: ToolApprovalState,
  tools: readonly StructuredToolInterface[],
  language: CodeLanguage
): Promise<ToolApprovalState> {
  const waiting = awaitingCall(approval);
  if (waiting === undefined) return approval;
  const { call, index } = waiting;
  const tool = tools.find((candidate) => candidate.name === call.tool);
  const request: ToolApprovalRequest = {
    type: TOOL_APPROVAL_INTERRUPT_TYPE,
    tool: call.tool,
    args: call.args,
    code: approval.code,
    language,
    call: index,
  };
  let decision = await readDecision(interrupt(request), tool);
  while (typeof decision === "string") {
    decision = await readDecision(interrupt({ ...request, error: decision }), tool);
  }
  const calls = approval.calls.map((recorded, position) => (position === index ? { ...recorded, decision } : recorded));
  return { ...approval, calls };
}

/**
 * Validates a resume value of a tool approval, the edited arguments against
 * the tool's schema. Returns the decision, or why the value is not one.
 */
export async function readDecision(value: unknown, tool: StructuredToolInterface | undefined): Promise<ToolApprovalDecision | string> {
  const parsed = ToolApprovalDecisionSchema.safeParse(value);
  if (!parsed.success) {
    return (
      `Invalid resume value for a tool call approval (${formatSchemaIssues(parsed.error.issues, value)}). Resume with ` +
      `{ action: "approve" }, { action: "edit", args: { … } } or { action: "reject", reason?: "<why>" }; got ${echoValue(value)}.`
    );
  }
  const decision = parsed.data;
  if (decision.action !== "edit" || tool === undefined) return decision;
  const problems = await invalidToolInput(tool, decision.args);
  if (problems !== undefined) return `The edited arguments do not fit ${tool.name}'s schema: ${problems}. Got ${echoValue(decision.args)}.`;
  return { action: "edit", args: JSON.parse(JSON.stringify(decision.args)) as Record<string, JsonValue> };
}
