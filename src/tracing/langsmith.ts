import { awaitAllCallbacks } from "@langchain/core/callbacks/promises";
import { LangChainTracer } from "@langchain/core/tracers/tracer_langchain";
import { Client, getDefaultProjectName, uuid7 } from "langsmith";
import { TIMED_OUT, withTimeout } from "../shared/timeout.js";
import { isTracingEnabledByEnvironment } from "../shared/tracing-env.js";

export { isTracingEnabledByEnvironment, TRACING_ENV_VARS } from "../shared/tracing-env.js";

/** How long {@link TraceSession.flush} waits for LangSmith to accept the runs. */
export const DEFAULT_FLUSH_TIMEOUT_MS = 10_000;
/** How long {@link getTraceUrl} waits for LangSmith to name the project. */
export const DEFAULT_TRACE_URL_TIMEOUT_MS = 5_000;


/** Options of {@link createTraceSession}. */
export interface TraceSessionOptions {
  /**
   * Trace even when the environment does not turn tracing on (the CLI's
   * `--trace`). Endpoint and key still come from the environment
   * (`LANGSMITH_ENDPOINT`, `LANGSMITH_API_KEY`) unless `client` is given.
   * @defaultValue `false`
   */
  force?: boolean;
  /**
   * The LangSmith project the runs go to.
   * @defaultValue `LANGSMITH_PROJECT`, else `"default"`
   */
  projectName?: string;
  /** The client that sends the runs. @defaultValue a client configured from the environment */
  client?: Client;
  /** Id of the root run (the graph's). @defaultValue a new UUID v7 */
  runId?: string;
}

/** One traced run of an agent, and what is needed to flush it and link to it. */
export interface TraceSession {
  readonly client: Client;
  readonly tracer: LangChainTracer;
  readonly projectName: string;
  /** The root run's id: the trace id. */
  readonly runId: string;
  /**
   * Spread into the config of the one `invoke` / `stream` call to trace:
   * `agent.stream(input, { ...session.config, streamMode })`. The explicit
   * tracer replaces the one LangChain would add from the environment, so
   * runs are not sent twice.
   */
  readonly config: { callbacks: LangChainTracer[]; runId: string };
  /** Set when tracing is likely to fail (no API key in the environment), to show the user. */
  readonly warning?: string;
  /**
   * Waits until queued runs are sent (or `timeoutMs` passes). Never throws:
   * delivery failures are logged by the LangSmith client.
   */
  flush(options?: { timeoutMs?: number }): Promise<void>;
  /** The trace's web URL, or `undefined` when LangSmith cannot be asked. Never throws. */
  traceUrl(options?: { timeoutMs?: number }): Promise<string | undefined>;
}

/**
 * Prepares tracing of one agent run to LangSmith, or returns `undefined`
 * when tracing is neither forced nor turned on by the environment.
 *
 * ```ts
 * const tracing = createTraceSession({ force: args.trace });
 * if (tracing?.warning) console.error(tracing.warning);
 * const stream = await agent.stream(input, { ...tracing?.config, streamMode });
 * // ... consume the stream ...
 * await tracing?.flush();
 * const url = await tracing?.traceUrl();
 * if (url) console.error(`Trace: ${url}`);
 * ```
 */
export function createTraceSession(options: TraceSessionOptions = {}): TraceSession | undefined {
  if (options.force !== true && !isTracingEnabledByEnvironment()) return undefined;
  const client = options.client ?? new Client();
  const projectName = options.projectName ?? getDefaultProjectName();
  const runId = options.runId ?? uuid7();
  const tracer = new LangChainTracer({ client, projectName });
  const hasKey =
    options.client !== undefined ||
    Boolean(process.env["LANGSMITH_API_KEY"] ?? process.env["LANGCHAIN_API_KEY"]);
  return {
    client,
    tracer,
    projectName,
    runId,
    config: { callbacks: [tracer], runId },
    ...(!hasKey && {
      warning: "LANGSMITH_API_KEY is not set: LangSmith will probably reject the trace.",
    }),
    flush: (flushOptions = {}) => flushTraces({ client, ...flushOptions }),
    traceUrl: (urlOptions = {}) => getTraceUrl({ client, projectName, runId, ...urlOptions }),
  };
}

/**
 * Waits for LangChain's queued callbacks and for `client` (by default the
 * client LangChain traces with from the environment) to send its runs, at
 * most `timeoutMs`. Call it before a short-lived process exits. Never throws.
 */
export async function flushTraces(
  options: { client?: Client; timeoutMs?: number } = {}
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS;
  // A tracer made without a client holds LangChain's default client.
  const client = options.client ?? (new LangChainTracer().client as Client);
  await withTimeout(
    (async () => {
      await awaitAllCallbacks();
      await client.awaitPendingTraceBatches();
    })().catch(() => undefined),
    timeoutMs
  );
}

/**
 * The web URL of a trace: `<host>/o/<tenant>/projects/p/<project>/r/<runId>?poll=true`,
 * the form LangSmith's own links take. Asks LangSmith for the project's and
 * tenant's ids (one `GET /sessions?name=`), so call it after the runs were
 * sent. Returns `undefined` when that fails or takes over `timeoutMs`.
 */
export async function getTraceUrl(options: {
  client: Client;
  projectName: string;
  runId: string;
  timeoutMs?: number;
}): Promise<string | undefined> {
  const { client, projectName, runId } = options;
  const project = await withTimeout(
    client.readProject({ projectName }).catch(() => undefined),
    options.timeoutMs ?? DEFAULT_TRACE_URL_TIMEOUT_MS
  );
  if (project === undefined || project === TIMED_OUT || !project.id || !project.tenant_id) return undefined;
  return `${client.getHostUrl()}/o/${project.tenant_id}/projects/p/${project.id}/r/${runId}?poll=true`;
}

