/**
 * The `codeact` program: parse arguments, set up the model and executor,
 * run the task, print the result, and return the exit code.
 *
 * Start-up is most of a short run, so this module imports only what parsing
 * the arguments and starting the executor need. The agent, the model client,
 * tracing and the MCP client are loaded with `import()` when the run needs
 * them: the agent and the model client while the sandbox's worker process
 * boots on another core, tracing only when it is on, MCP only with `--mcp`.
 *
 * @module
 */
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ChatOpenAI } from "@langchain/openai";
import type { TraceSession } from "../tracing/langsmith.js";
import type { McpToolSet } from "../tools/mcp.js";
import { isTracingEnabledByEnvironment } from "../shared/tracing-env.js";
import {
  CliUsageError,
  helpText,
  parseCliArgs,
  resolveCliConfig,
  type CliConfig,
  type CliEnvironment,
} from "./args.js";
import { EXIT_ANSWERED, EXIT_INTERRUPTED, EXIT_USAGE } from "./exit-codes.js";
import {
  createRenderer,
  shouldUseColor,
  silentRenderer,
  type ColorEnvironment,
  type RenderTarget,
} from "./render.js";
import type { RunReport } from "./run.js";
import { setUpExecutor } from "./executor-setup.js";
import { keepCompiledCode } from "./compile-cache-signal.js";

/**
 * A second Ctrl-C within this window is taken for a copy of the first (a
 * terminal signals the whole process group), not as "force quit".
 */
const REPEAT_SIGNAL_WINDOW_MS = 500;
/** How often the CLI checks that whoever started it (a shell, npx, `timeout`) is still there. */
const PARENT_CHECK_INTERVAL_MS = 500;

/** The process's streams and environment, replaceable in tests. */
export interface CliIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: RenderTarget;
  stderr: RenderTarget;
  env: CliEnvironment & ColorEnvironment & Record<string, string | undefined>;
  /** Installs interrupt handling; returns its removal. */
  onInterrupt(handler: (repeat: boolean) => void): () => void;
}

/** The real process's streams, environment and signals. */
export function processIo(): CliIo {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    onInterrupt(handler) {
      let first: number | undefined;
      const listener = (): void => {
        const now = Date.now();
        if (first === undefined) {
          first = now;
          handler(false);
        } else if (now - first > REPEAT_SIGNAL_WINDOW_MS) {
          handler(true);
        }
      };
      process.on("SIGINT", listener);
      process.on("SIGTERM", listener);
      process.on("SIGHUP", listener);
      // A parent killed without passing the signal on (npx under `timeout`)
      // leaves this process re-parented: stop as if interrupted, so the run
      // and its sandbox worker end instead of running on unseen.
      const parent = process.ppid;
      const watch = setInterval(() => {
        if (process.ppid !== parent) listener();
      }, PARENT_CHECK_INTERVAL_MS);
      watch.unref();
      return () => {
        clearInterval(watch);
        process.off("SIGINT", listener);
        process.off("SIGTERM", listener);
        process.off("SIGHUP", listener);
      };
    },
  };
}

/**
 * Runs the program with `argv` (without the node and script paths) and
 * returns the exit code (see exit-codes.ts). Never throws.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const printError = (message: string): void => {
    io.stderr.write(`codeact: ${message}\n`);
  };
  let config: CliConfig;
  let task: string;
  try {
    const options = parseCliArgs(argv);
    if (options.help) {
      io.stdout.write(helpText(packageVersion()));
      return EXIT_ANSWERED;
    }
    if (options.version) {
      io.stdout.write(`${packageVersion()}\n`);
      return EXIT_ANSWERED;
    }
    config = resolveCliConfig(options, io.env);
    task = await readTask(options.task, io.stdin);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    printError(error.message);
    io.stderr.write('Run "codeact --help" for usage.\n');
    return EXIT_USAGE;
  }

  // Human output goes to stdout; with --json, stdout carries only the JSON.
  const progressTarget = config.json ? io.stderr : io.stdout;
  const renderer =
    config.json && config.quiet
      ? silentRenderer
      : createRenderer({
          target: progressTarget,
          color: shouldUseColor(progressTarget, io.env),
          quiet: config.quiet,
        });

  const controller = new AbortController();
  const removeInterrupt = io.onInterrupt((repeat) => {
    if (repeat) {
      // The run did not stop in time: leave now, as asked twice.
      printError("interrupted again; exiting without cleanup");
      process.exit(EXIT_INTERRUPTED);
    }
    if (!config.quiet) printError("interrupting… (press Ctrl-C again to force)");
    controller.abort();
  });

  const tracing = await startTracing(config);
  if (tracing?.warning !== undefined) printError(tracing.warning);

  let cleanup: (() => Promise<void>) | undefined;
  let report: RunReport;
  try {
    const settingUp = setUpExecutor(config, (message) => {
      if (!config.quiet) printError(message);
    });
    // The JavaScript executor is set up once its module is loaded and its
    // worker process spawned: load the agent after that, while the worker
    // boots on another core, so the spawn does not wait behind ~900 modules.
    // A Jupyter server takes seconds to start: load the agent meanwhile.
    const loadingRun = config.executor === "javascript" ? settingUp.then(() => loadRunModules()) : loadRunModules();
    // Awaited only once the executor is up; a failed setup is reported below, not here.
    loadingRun.catch(() => {});
    const setup = await settingUp;
    cleanup = setup.cleanup;
    const mcp = await startMcpServers(config);
    if (mcp !== undefined) {
      const closeExecutor = setup.cleanup;
      cleanup = async () => {
        await mcp.close().catch((error: unknown) => printError(`could not stop the MCP servers: ${error instanceof Error ? error.message : String(error)}`));
        await closeExecutor();
      };
    }
    const { runTask, ChatOpenAI } = await loadingRun;
    keepCompiledCode();
    report = await runTask({
      task,
      model: createChatModel(ChatOpenAI, config),
      executor: setup.executor,
      maxSteps: config.maxSteps,
      streamModel: config.stream,
      renderer,
      signal: controller.signal,
      ...(config.baseUrl !== undefined && { modelServerUrl: config.baseUrl }),
      ...(tracing !== undefined && { traceConfig: tracing.config }),
      includeImages: config.images,
      outputsDir: config.outputsDir,
      ...(mcp !== undefined && { tools: mcp.tools }),
    });
  } catch (error) {
    // Only setup can throw here (runTask reports its own failures).
    const failure = error instanceof Error ? error : new Error(String(error));
    report = {
      status: controller.signal.aborted ? "interrupted" : "failed",
      exitCode: controller.signal.aborted ? EXIT_INTERRUPTED : 1,
      answer: null,
      message: failure instanceof McpStartError ? failure.message : `could not start the ${config.executor} executor: ${failure.message}`,
      error: { name: failure.name, message: failure.message, ...(failure.stack !== undefined && { stack: failure.stack }) },
      steps: [],
      stepCount: 0,
      durationMs: 0,
    };
  } finally {
    try {
      await cleanup?.();
    } catch (error) {
      printError(`could not close the executor: ${error instanceof Error ? error.message : String(error)}`);
    }
    removeInterrupt();
  }

  if (tracing !== undefined) {
    // Bounded: a LangSmith outage must not hold the answer back for long.
    await tracing.flush({ timeoutMs: TRACE_FLUSH_TIMEOUT_MS });
    const url = await tracing.traceUrl({ timeoutMs: TRACE_URL_TIMEOUT_MS });
    if (url !== undefined) io.stderr.write(`Trace: ${url}\n`);
  }

  if (config.json) {
    const { error, ...rest } = report;
    const json = {
      ...rest,
      ...(error !== undefined && {
        error: { name: error.name, message: error.message, ...(config.debug && { stack: error.stack }) },
      }),
    };
    io.stdout.write(`${JSON.stringify(json)}\n`);
  } else if (report.status === "answered" && report.answer !== null) {
    renderer.answer(report.answer);
  }
  if (report.status === "max_steps") {
    printError(`${report.message ?? "stopped without an answer"} Raise --max-steps (now ${config.maxSteps}) to allow more.`);
  } else if (report.status === "failed") {
    printError(report.message ?? "the run failed");
    if (config.debug && report.error?.stack !== undefined) io.stderr.write(`${report.error.stack}\n`);
  } else if (report.status === "interrupted") {
    printError("interrupted");
  }
  return report.exitCode;
}

const TRACE_FLUSH_TIMEOUT_MS = 10_000;
const TRACE_URL_TIMEOUT_MS = 5_000;

/** The task from the arguments, or from stdin when it is `-` or absent. */
async function readTask(
  task: string | undefined,
  stdin: NodeJS.ReadableStream & { isTTY?: boolean }
): Promise<string> {
  if (task !== undefined && task !== "-") {
    if (task.trim() === "") throw new CliUsageError("the task is empty.");
    return task;
  }
  if (task === undefined && stdin.isTTY === true) {
    throw new CliUsageError('no task given: pass it as an argument (codeact "task") or on stdin.');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") throw new CliUsageError("the task read from stdin is empty.");
  return text;
}

/** The modules a run needs beyond starting the executor: the agent and the model client. */
async function loadRunModules(): Promise<{ runTask: typeof import("./run.js").runTask; ChatOpenAI: typeof ChatOpenAI }> {
  const [{ runTask }, { ChatOpenAI }] = await Promise.all([import("./run.js"), import("@langchain/openai")]);
  return { runTask, ChatOpenAI };
}

/** Tracing for this run, when forced or turned on by the environment; its client is loaded only then. */
async function startTracing(config: CliConfig): Promise<TraceSession | undefined> {
  if (!config.trace && !isTracingEnabledByEnvironment()) return undefined;
  const { createTraceSession } = await import("../tracing/langsmith.js");
  return createTraceSession({ force: config.trace });
}

function createChatModel(ChatModel: typeof ChatOpenAI, config: CliConfig): ChatOpenAI {
  return new ChatModel({
    model: config.model,
    apiKey: config.apiKey,
    maxRetries: config.maxRetries,
    streaming: config.stream,
    // Without streaming, a LangGraph "messages" handler must not switch it back on.
    ...(!config.stream && { disableStreaming: true }),
    ...(config.baseUrl !== undefined && { configuration: { baseURL: config.baseUrl } }),
  });
}

/** This package's version, from the package.json above the running script. */
function packageVersion(): string {
  const script = process.argv[1];
  if (script === undefined) return "unknown";
  let directory: string;
  try {
    directory = dirname(realpathSync(script));
  } catch {
    return "unknown";
  }
  for (;;) {
    const candidate = join(directory, "package.json");
    if (existsSync(candidate)) {
      try {
        const manifest = JSON.parse(readFileSync(candidate, "utf8")) as { name?: unknown; version?: unknown };
        if (manifest.name === "langgraph-codeact" && typeof manifest.version === "string") {
          return manifest.version;
        }
      } catch {
        // Unreadable manifest: keep looking upwards.
      }
    }
    const parent = dirname(directory);
    if (parent === directory) return "unknown";
    directory = parent;
  }
}

/** An MCP server given with --mcp could not be started or listed. */
class McpStartError extends Error {}

async function startMcpServers(config: CliConfig): Promise<McpToolSet | undefined> {
  const names = Object.keys(config.mcpServers);
  if (names.length === 0) return undefined;
  try {
    const { loadMcpTools } = await import("../tools/mcp.js");
    return await loadMcpTools(config.mcpServers);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new McpStartError(`could not start the MCP server${names.length > 1 ? "s" : ""} ${names.join(", ")}: ${reason}`, { cause: error });
  }
}
