import type { HumanMessage } from "@langchain/core/messages";
import { createObservation, formatExecutionResult } from "../../src/graph/messages.js";
import type { ObservationDetails } from "../../src/graph/observation-details.js";

export { createCodeActAgent, windowMessages } from "../../src/index.js";

/** An execution observation as the execute node writes it: text from the result, details beside it. */
export function createObservationForTests(result: { output: string; value?: string; error?: ObservationDetails["error"] }): HumanMessage {
  const text = formatExecutionResult({ output: result.output, outputs: [], durationMs: 1, ...(result.value !== undefined && { value: result.value }), ...(result.error !== undefined && { error: result.error }) });
  return createObservation(text, { kind: "execution", output: result.output, ...(result.value !== undefined && { value: result.value }), ...(result.error !== undefined && { error: result.error }) });
}
