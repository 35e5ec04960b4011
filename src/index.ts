/**
 * langgraph-codeact: CodeAct agents for LangGraph.js. The model acts by
 * writing code that runs in a sandbox; the code calls tools as functions.
 *
 * The root entry point never loads an executor's native or network code:
 * executors live in `langgraph-codeact/executors/isolated-vm` and
 * `langgraph-codeact/executors/jupyter` (the default isolated-vm executor is
 * loaded on first use).
 *
 * @module langgraph-codeact
 */

// The agent and the graph
export {
  createCodeActAgent,
  createCodeActGraph,
  createCodeActNodes,
  defaultRecursionLimit,
  type CodeActNodes,
} from "./graph/create-codeact-graph.js";
export type {
  ApprovalPolicy,
  CodeActNodeParams,
  CreateCodeActParams,
  ExecuteNodeParams,
  ModelNodeParams,
  RouteNodeParams,
} from "./graph/types.js";
export {
  CodeActState,
  type CodeActStateType,
  type CodeActStateUpdate,
  type StepWindow,
} from "./graph/state.js";

// The node pack
export { createModelNode, type CodeActNode } from "./graph/nodes/model.js";
export { untracedEdge } from "./graph/untraced-edge.js";
export {
  createExecuteNode,
  CELL_RUN_NAME,
  type OutputStreamChunk,
  type RichOutputStreamChunk,
  type ToolCallStreamChunk,
} from "./graph/nodes/execute.js";
export {
  createRouteNode,
  parseApprovalDecision,
  ApprovalDecisionSchema,
  MAX_FORMAT_RETRIES,
  type ApprovalDecision,
  type ApprovalRequest,
  type RouteNode,
} from "./graph/nodes/route.js";
export {
  APPROVAL_INTERRUPT_TYPE,
  DEFAULT_AGENT_NAME,
  DEFAULT_MAX_STEPS,
  NODE_EXECUTE,
  NODE_MODEL,
  NODE_ROUTE,
  OUTPUT_STREAM_TYPE,
  RICH_OUTPUT_STREAM_TYPE,
  TOOL_CALL_STREAM_TYPE,
} from "./graph/constants.js";
export {
  isObservation,
  observationDetails,
  MAX_DETAILS_CELL_RICH_CHARS,
  MAX_DETAILS_IMAGE_BASE64_CHARS,
  MAX_DETAILS_OUTPUT_CHARS,
  MAX_DETAILS_RICH_TEXT_CHARS,
  MAX_DETAILS_TOOL_CALLS,
  MAX_DETAILS_TOOL_JSON_CHARS,
  type ObservationDetails,
  type ObservationKind,
  type ObservationRichOutput,
  type ObservationToolCall,
} from "./graph/messages.js";
export { extractCode, messageText } from "./graph/extract-code.js";
export { readReply, type CodeForm, type NamedTool, type ReplyReading } from "./graph/reply-format.js";
export { DEFAULT_CONTEXT_WINDOW, windowMessages, type ContextWindowOptions } from "./graph/context-window.js";
export { type ActionMode } from "./graph/tool-calling-fallback.js";

// Approval of single tool calls inside code
export {
  awaitingCall,
  TOOL_APPROVAL_INTERRUPT_TYPE,
  TOOL_REJECTED_ERROR,
  ToolApprovalDecisionSchema,
  type RecordedToolCall,
  type ToolApprovalDecision,
  type ToolApprovalPolicy,
  type ToolApprovalRequest,
  type ToolApprovalState,
  type ToolCallOutcome,
} from "./graph/tool-approval/types.js";
export { TOOL_REPLAY_ERROR } from "./graph/tool-approval/cell-gate.js";
export { TOOL_APPROVAL_RUN_NAME } from "./graph/tool-approval/gated-cell.js";

// Prompts and tools
export {
  buildSystemPrompt,
  type BuildSystemPromptOptions,
} from "./prompts/index.js";
export {
  createToolFunctions,
  invalidToolInput,
  type CreateToolFunctionsOptions,
  type ToolCallGate,
} from "./tools/tool-functions.js";
export { renderTypeScriptDeclarations } from "./tools/typescript-declarations.js";
export { renderPythonStubs } from "./tools/python-stubs.js";
export { sanitizeIdentifier } from "./tools/identifiers.js";
export {
  graphTool,
  DEFAULT_GRAPH_TOOL_SCHEMA,
  GRAPH_TOOL_THREAD_NAMESPACE,
  type GraphToolOptions,
  type GraphToolStructuredResult,
  type InvocableGraph,
} from "./tools/graph-tool.js";

// Tracing (LangSmith)
export {
  createTraceSession,
  flushTraces,
  getTraceUrl,
  isTracingEnabledByEnvironment,
  cellTraceOutputs,
  traceRichOutput,
  DEFAULT_MAX_TRACE_OUTPUT_CHARS,
  DEFAULT_MAX_TRACE_TEXT_CHARS,
  type CellTraceOutputs,
  type TraceSession,
  type TraceSessionOptions,
  type TracedRichOutput,
} from "./tracing/index.js";

// Executors: the contract and its errors
export type {
  CodeDefinition,
  CodeLanguage,
  ExecuteRequest,
  ExecuteResult,
  ExecutionError,
  ExecutionLimits,
  Executor,
  HostFunction,
  InstanceLocation,
  JsonValue,
  RichOutput,
  SessionDefinitions,
} from "./executors/types.js";
export { createExecutor, LazyExecutor, type ExecutorSpec, type JupyterServerAddress } from "./executors/create-executor.js";
export {
  combineSessionChanges,
  describeSessionChange,
  MAX_NOTICE_NAMES,
  sessionNoticeText,
  type SessionChange,
} from "./executors/session-change.js";
export {
  ExecutorClosedError,
  ExecutorError,
  ExecutorProtocolError,
  ExecutorUnauthorizedError,
  ExecutorUnavailableError,
  SandboxUnavailableError,
  type ExecutorErrorCode,
  type ExecutorErrorOptions,
} from "./executors/errors.js";
