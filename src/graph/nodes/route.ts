import { HumanMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import { Command, END, interrupt } from "@langchain/langgraph";
import { z } from "zod";
import type { CodeLanguage } from "../../executors/types.js";
import {
  APPROVAL_INTERRUPT_TYPE,
  MAX_FORMAT_RETRIES,
  NODE_EXECUTE,
  NODE_MODEL,
} from "../constants.js";
import { messageText, otherLanguageCode } from "../extract-code.js";
import {
  formatErrorObservation,
  replyFormatObservation,
  wrongLanguageObservation,
  isObservation,
  observationDetails,
  rejectionObservation,
  stoppedMessage,
} from "../messages.js";
import type { CodeActStateType } from "../state.js";
import { advanceStepWindow, currentStep, stepsLeftAfter } from "../step-window.js";
import { parseStructuredAnswer } from "../structured-response.js";
import type { RouteNodeParams } from "../types.js";
import { askToolApproval } from "../tool-approval/ask.js";
import { switchedObservation, toolCallsOf } from "../tool-calling-fallback.js";
import { addRunMetadata } from "../../tracing/run-metadata.js";
import { awaitingCall } from "../tool-approval/types.js";
import { formatSchemaIssues } from "../../shared/zod-issues.js";
import { resolveCodeAct, type ResolvedCodeAct } from "../resolve.js";
import { echoValue } from "../../shared/echo.js";

export { MAX_FORMAT_RETRIES } from "../constants.js";

// Supersteps a path needs after `route`, including the `route` that follows.
const STEPS_FOR_EXECUTION = 3; // execute, model, route
const STEPS_FOR_RETRY = 2; // model, route

/** The value of the interrupt raised when a code action needs approval. */
export interface ApprovalRequest {
  type: typeof APPROVAL_INTERRUPT_TYPE;
  /** The code the model wants to run. */
  code: string;
  language: CodeLanguage;
  /** Set when the previous resume value was invalid: what was wrong with it. */
  error?: string;
}

/** The resume values an approval interrupt accepts. */
export const ApprovalDecisionSchema = z.discriminatedUnion("action", [
  z.object({ action: z.literal("approve") }),
  z.object({ action: z.literal("edit"), code: z.string().min(1) }),
  z.object({ action: z.literal("reject"), reason: z.string().optional() }),
]);

/** A human's answer to an {@link ApprovalRequest}, passed as `new Command({ resume })`. */
export type ApprovalDecision = z.infer<typeof ApprovalDecisionSchema>;

/** The `route` node function: decides with a `Command`. */
export type RouteNode = (state: CodeActStateType, config: RunnableConfig) => Promise<Command>;

/**
 * Creates the `route` node, the one place for control policy. After a cell
 * paused on a tool call that needs approval (`approveToolCalls`) it asks the
 * human with an interrupt and goes back to `execute`. After each model reply
 * it returns a `Command`:
 * - code, budget left → `execute` (after an approval interrupt if `approve`
 *   asks for one: approve or edit → `execute`, reject → observation → `model`);
 * - no code → END, the reply is the final answer; with `responseFormat` the
 *   answer's JSON is validated first (valid → `structuredResponse`, END;
 *   invalid → observation with the problem → `model`);
 * - `maxSteps` spent, or the recursion limit would be hit before the next
 *   model reply → a message saying so, END.
 *
 * Add it with `ends: [NODE_EXECUTE, NODE_MODEL, END]` so Studio draws the edges.
 */
export function createRouteNode(params: RouteNodeParams | ResolvedCodeAct = {}): RouteNode {
  const resolved = resolveCodeAct(params, "createRouteNode");
  const { maxSteps, language, needsApproval, responseFormat } = resolved;

  return async function route(state, config) {
    let window = advanceStepWindow(state.stepWindow, currentStep(config));
    // A cell paused on a tool call: ask the human, then the cell carries on.
    if (awaitingCall(state.toolApproval) !== undefined && state.toolApproval !== null) {
      const toolApproval = await askToolApproval(state.toolApproval, resolved.codeTools, language);
      // A resumed run has a fresh recursion budget that starts here.
      window = advanceStepWindow(window, currentStep(config), true);
      return new Command({ update: { toolApproval, stepWindow: window }, goto: NODE_EXECUTE });
    }
    // Paths to END leave the step window as it is: the run ends here, and the
    // next invocation's first node starts a new window whatever it holds.
    const stop = (reason: string): Command =>
      new Command({
        update: {
          messages: [stoppedMessage({ steps: state.steps, reason, lastError: lastError(state) })],
        },
        goto: END,
      });
    const recursionReason = (): string =>
      `the run reached its recursion limit of ${config.recursionLimit ?? "25"} graph steps`;

    if (state.actionMode === "tool_calling") {
      if (toolCallsOf(state.messages.at(-1)).length === 0) return new Command({ goto: END });
      if (state.steps >= maxSteps) {
        return stop(`the limit is ${maxSteps} rounds of tool calls per turn`);
      }
      if (stepsLeftAfter(window, config) < STEPS_FOR_EXECUTION) return stop(recursionReason());
      return new Command({ update: { stepWindow: window }, goto: NODE_EXECUTE });
    }

    if (state.code === null) {
      const written = otherLanguageCode(messageText(state.messages.at(-1)?.content ?? ""), language);
      if (written !== null) {
        if (formatRetries(state) >= MAX_FORMAT_RETRIES) {
          return stop(`the model kept writing ${written} after ${MAX_FORMAT_RETRIES} corrections, and only ${language} runs here`);
        }
        if (stepsLeftAfter(window, config) < STEPS_FOR_RETRY) return stop(recursionReason());
        return new Command({
          update: { messages: [wrongLanguageObservation(language, written)], stepWindow: window },
          goto: NODE_MODEL,
        });
      }
      const reading = resolved.readReply(messageText(state.messages.at(-1)?.content ?? ""));
      if (reading.kind === "format_error") {
        const fallback = resolved.toolCallingFallback;
        if (fallback !== undefined && consecutiveFormatErrors(state) + 1 >= fallback) {
          // The thread acts by tool calls from now on; the trace and the state say so.
          await addRunMetadata(config, { codeact_action_mode: "tool_calling" });
          return new Command({
            update: { actionMode: "tool_calling", messages: [switchedObservation(fallback)], stepWindow: window },
            goto: NODE_MODEL,
          });
        }
        if (formatRetries(state) >= MAX_FORMAT_RETRIES) {
          return stop(`the model's replies could not be read after ${MAX_FORMAT_RETRIES} corrections (${reading.problem})`);
        }
        if (stepsLeftAfter(window, config) < STEPS_FOR_RETRY) return stop(recursionReason());
        return new Command({
          update: { messages: [replyFormatObservation(reading.problem, language)], stepWindow: window },
          goto: NODE_MODEL,
        });
      }
      if (responseFormat === undefined) {
        return new Command({ goto: END });
      }
      const answer = parseStructuredAnswer(
        messageText(state.messages.at(-1)?.content ?? ""),
        responseFormat
      );
      if (answer.success) {
        return new Command({
          update: { structuredResponse: answer.value },
          goto: END,
        });
      }
      if (formatRetries(state) >= MAX_FORMAT_RETRIES) {
        return stop(
          `the final answer did not match the required format after ${MAX_FORMAT_RETRIES} corrections: ${answer.problem}`
        );
      }
      if (stepsLeftAfter(window, config) < STEPS_FOR_RETRY) return stop(recursionReason());
      return new Command({
        update: { messages: [formatErrorObservation(answer.problem)], stepWindow: window },
        goto: NODE_MODEL,
      });
    }

    if (state.steps >= maxSteps) {
      return stop(`the limit is ${maxSteps} code ${maxSteps === 1 ? "execution" : "executions"} per turn`);
    }
    if (stepsLeftAfter(window, config) < STEPS_FOR_EXECUTION) return stop(recursionReason());

    if (needsApproval(state.code)) {
      const request: ApprovalRequest = {
        type: APPROVAL_INTERRUPT_TYPE,
        code: state.code,
        language,
      };
      // An invalid resume value cannot be thrown back (the thread would keep
      // replaying it): ask again, with the error in the interrupt's value.
      let decision = readApprovalDecision(interrupt(request));
      while (typeof decision === "string") {
        decision = readApprovalDecision(interrupt({ ...request, error: decision }));
      }
      // A resumed run has a fresh recursion budget that starts here.
      window = advanceStepWindow(window, currentStep(config), true);
      if (decision.action === "reject") {
        return new Command({
          update: { messages: [rejectionObservation(decision.reason)], stepWindow: window },
          goto: NODE_MODEL,
        });
      }
      if (decision.action === "edit") {
        return new Command({ update: { code: decision.code, stepWindow: window }, goto: NODE_EXECUTE });
      }
    }
    return new Command({ update: { stepWindow: window }, goto: NODE_EXECUTE });
  };
}


/**
 * Validates a resume value of an approval interrupt.
 * @throws Error that shows the accepted shapes, when the value is invalid.
 */
export function parseApprovalDecision(value: unknown): ApprovalDecision {
  const decision = readApprovalDecision(value);
  if (typeof decision === "string") throw new Error(decision);
  return decision;
}

/** The decision, or the reason the value is not one. */
function readApprovalDecision(value: unknown): ApprovalDecision | string {
  const result = ApprovalDecisionSchema.safeParse(value);
  if (result.success) return result.data;
  const issues = formatSchemaIssues(result.error.issues, value);
  return (
    `Invalid resume value for a CodeAct approval (${issues}). Resume with ` +
    `{ action: "approve" }, { action: "edit", code: "<new code>" } or ` +
    `{ action: "reject", reason?: "<why>" }; got ${echoValue(value)}.`
  );
}


/** The error of the turn's latest execution observation, if it failed. */
function lastError(state: CodeActStateType): { name: string; message: string } | undefined {
  for (let index = state.messages.length - 1; index >= 0; index -= 1) {
    const message = state.messages[index];
    if (!isObservation(message)) {
      if (HumanMessage.isInstance(message)) return undefined;
      continue;
    }
    const details = observationDetails(message);
    if (details?.kind === "execution") return details.error;
  }
  return undefined;
}

/** Format-error observations right before the latest reply, with no cell run between them. */
function consecutiveFormatErrors(state: CodeActStateType): number {
  let count = 0;
  for (let index = state.messages.length - 1; index >= 0; index -= 1) {
    const message = state.messages[index];
    if (HumanMessage.isInstance(message) && !isObservation(message)) break;
    const kind = observationDetails(message)?.kind;
    if (kind === "execution") break;
    if (kind === "format_error") count += 1;
  }
  return count;
}

/** Format-error observations since the turn's user message. */
function formatRetries(state: CodeActStateType): number {
  let count = 0;
  for (let index = state.messages.length - 1; index >= 0; index -= 1) {
    const message = state.messages[index];
    if (HumanMessage.isInstance(message) && !isObservation(message)) break;
    if (observationDetails(message)?.kind === "format_error") count += 1;
  }
  return count;
}
