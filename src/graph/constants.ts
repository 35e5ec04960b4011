/** Name of the node that calls the model and extracts its code action. */
export const NODE_MODEL = "model";
/** Name of the node that runs a code action and appends the observation. */
export const NODE_EXECUTE = "execute";
/** Name of the node that decides what happens after each model reply. */
export const NODE_ROUTE = "route";
/** Code executions allowed per user turn before the agent stops gracefully. */
export const DEFAULT_MAX_STEPS = 20;
/** Name of the compiled agent, shown in Studio and traces, used by supervisors. */
export const DEFAULT_AGENT_NAME = "codeact_agent";
/** Interrupt payload `type` raised when a code action needs approval. */
export const APPROVAL_INTERRUPT_TYPE = "codeact_approval";
/** `type` of the custom stream chunks carrying live output of a running cell. */
export const OUTPUT_STREAM_TYPE = "codeact_output";
/**
 * `type` of the custom stream chunks reporting a tool call made from inside a
 * running cell: one at its start, one at its end.
 */
export const TOOL_CALL_STREAM_TYPE = "codeact_tool_call";
/** `type` of the custom stream chunks carrying a rich output (image, HTML) of a cell. */
export const RICH_OUTPUT_STREAM_TYPE = "codeact_rich_output";
/** Corrections the model gets for a final answer that does not match `responseFormat`, or a reply that cannot be read. */
export const MAX_FORMAT_RETRIES = 3;
