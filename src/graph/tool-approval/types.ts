/**
 * Approval of single tool calls made inside code: the option, the interrupt
 * a gated call raises, the answers it takes, and the record of a paused
 * cell's calls that graph state keeps so any process can finish the cell.
 *
 * @module
 */
import { z } from "zod";
import type { CodeLanguage, JsonValue } from "../../executors/types.js";

/** `type` of the interrupt raised when code calls a tool that needs approval. */
export const TOOL_APPROVAL_INTERRUPT_TYPE = "codeact_tool_approval";

/** Name of the error code receives for a call a human rejected (a class in both languages). */
export const TOOL_REJECTED_ERROR = "ToolRejectedError";

/**
 * Which tool calls made by code wait for a human: the names of the tools
 * (as given to the agent, or as the code calls them), or a predicate on the
 * tool's name and its validated input (return `true` to ask).
 */
export type ToolApprovalPolicy = readonly string[] | ((name: string, args: unknown) => boolean);

/** The value of the interrupt a gated tool call raises. */
export interface ToolApprovalRequest {
  type: typeof TOOL_APPROVAL_INTERRUPT_TYPE;
  /** The tool's name, as given to the agent. */
  tool: string;
  /** Its input, as the code passed it, already checked against the tool's schema. */
  args: JsonValue;
  /** The cell that makes the call. */
  code: string;
  language: CodeLanguage;
  /** Position of the call among the cell's tool calls, from 0. */
  call: number;
  /** Set when the previous resume value was invalid: what was wrong with it. */
  error?: string;
}

/** The resume values a tool approval accepts. */
export const ToolApprovalDecisionSchema = z.discriminatedUnion("action", [
  z.object({ action: z.literal("approve") }),
  z.object({ action: z.literal("edit"), args: z.record(z.string(), z.unknown()) }),
  z.object({ action: z.literal("reject"), reason: z.string().optional() }),
]);

/**
 * A human's answer to a {@link ToolApprovalRequest}, passed as
 * `new Command({ resume })`: run the call, run it with other arguments
 * (checked against the tool's schema), or make it throw `ToolRejectedError`
 * in the code.
 */
export type ToolApprovalDecision = z.infer<typeof ToolApprovalDecisionSchema>;

/** How a call ended, as the code saw it. */
export type ToolCallOutcome =
  | { ok: true; value?: JsonValue }
  | { ok: false; error: { name: string; message: string } };

/** One tool call of a paused cell, in the order the calls reached the host. */
export interface RecordedToolCall {
  tool: string;
  args: JsonValue;
  /** Set once the call ran (or was rejected): a re-run of the cell gets this answer. */
  outcome?: ToolCallOutcome;
  /** The call waits for a human (gated, not run yet). */
  awaiting?: boolean;
  /** The human's answer, once given. */
  decision?: ToolApprovalDecision;
}

/**
 * The state of a cell paused on a gated tool call (`state.toolApproval`):
 * enough for any process to finish it — re-run the cell from the session
 * state it started from, answering every call in `calls` from the record.
 */
export interface ToolApprovalState {
  /** Identifies the cell run across its pauses. */
  cell: string;
  code: string;
  /** Pauses of this cell so far: a live cell in memory is used only at the same count. */
  pause: number;
  calls: RecordedToolCall[];
}

/** The call waiting for a human's answer, if any. */
export function awaitingCall(state: ToolApprovalState | null): { call: RecordedToolCall; index: number } | undefined {
  if (state === null) return undefined;
  const index = state.calls.findIndex((call) => call.awaiting === true && call.decision === undefined);
  const call = state.calls[index];
  return call === undefined ? undefined : { call, index };
}
