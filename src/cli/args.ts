/**
 * Command-line arguments and environment of `codeact`: parsing, validation
 * and the help text. Pure functions, so they are unit-tested without
 * spawning anything.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { McpServerConfig } from "../tools/mcp.js";
import { parseMcpServers } from "./mcp-servers.js";
import { CliUsageError } from "./usage-error.js";
import {
  EXIT_ANSWERED,
  EXIT_FAILED,
  EXIT_INTERRUPTED,
  EXIT_MAX_STEPS,
  EXIT_USAGE,
} from "./exit-codes.js";

/** The model used when neither `--model` nor `CODEACT_MODEL` is set. */
export const DEFAULT_MODEL = "gpt-4o-mini";
/** Code executions per task unless `--max-steps` says otherwise. */
export const DEFAULT_CLI_MAX_STEPS = 20;
/**
 * Retries of a failed model call. Lower than LangChain's default of 6, whose
 * exponential backoff makes a dead server look like a hang.
 */
export const DEFAULT_MAX_RETRIES = 2;
/**
 * Sent as the API key when a base URL is set without `OPENAI_API_KEY`: local
 * servers (Ollama, vLLM, llama.cpp) ignore it, but the client requires one.
 */
export const PLACEHOLDER_API_KEY = "codeact-no-key";

/** The executors the CLI can run code with. */
export type CliExecutorKind = "javascript" | "python";

/** What the command line asked for, before the environment is consulted. */
export interface CliOptions {
  /** The task text; `"-"` or undefined means: read it from stdin. */
  task?: string;
  model?: string;
  baseUrl?: string;
  maxSteps?: number;
  timeoutMs?: number;
  memoryLimitMb?: number;
  maxRetries?: number;
  executor?: CliExecutorKind;
  jupyterUrl?: string;
  jupyterToken?: string;
  /** `--no-sandbox`: the local Jupyter server's kernels run without bubblewrap. */
  noSandbox?: boolean;
  images?: boolean;
  outputsDir?: string;
  /** `--mcp` values, in order (see mcp-servers.ts). */
  mcp?: string[];
  json: boolean;
  stream: boolean;
  quiet: boolean;
  trace: boolean;
  help: boolean;
  version: boolean;
}

/** Everything a run needs, resolved from options and environment. */
export interface CliConfig {
  model: string;
  /** OpenAI-compatible base URL, or undefined for api.openai.com. */
  baseUrl?: string;
  apiKey: string;
  maxSteps: number;
  timeoutMs?: number;
  memoryLimitMb?: number;
  maxRetries: number;
  executor: CliExecutorKind;
  /** Jupyter server for the python executor; undefined starts a local one. */
  jupyterUrl?: string;
  jupyterToken?: string;
  /**
   * Run the local Jupyter server's kernels in the bubblewrap sandbox (python
   * without `jupyterUrl`): on unless `--no-sandbox`.
   */
  sandbox: boolean;
  /** Send the images cells display to the model (a vision model). */
  images: boolean;
  /** Where displayed images and HTML are written (created on first use). */
  outputsDir: string;
  /** MCP servers whose tools the agent gets, by name. */
  mcpServers: Record<string, McpServerConfig>;
  json: boolean;
  stream: boolean;
  quiet: boolean;
  /** Trace the run in LangSmith (`--trace`, or `LANGSMITH_TRACING=true`). */
  trace: boolean;
  /** Print stack traces of failures (`CODEACT_DEBUG=1`). */
  debug: boolean;
}

export { CliUsageError } from "./usage-error.js";

const OPTIONS = {
  model: { type: "string", short: "m" },
  "base-url": { type: "string" },
  "max-steps": { type: "string" },
  "timeout-ms": { type: "string" },
  "memory-limit-mb": { type: "string" },
  "max-retries": { type: "string" },
  executor: { type: "string", short: "e" },
  "jupyter-url": { type: "string" },
  "jupyter-token": { type: "string" },
  "no-sandbox": { type: "boolean" },
  images: { type: "boolean" },
  "outputs-dir": { type: "string" },
  mcp: { type: "string", multiple: true },
  json: { type: "boolean" },
  // Node 20's parseArgs has no `allowNegative`: declare the negation itself.
  "no-stream": { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  trace: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

/**
 * Parses `argv` (without the node and script paths). Several positional
 * words are joined with spaces, so `codeact what is 2+2` works unquoted.
 *
 * @throws CliUsageError for unknown options, missing or malformed values.
 */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs messages already name the option; drop Node's error-code prefix.
    throw new CliUsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const options: CliOptions = {
    json: values.json ?? false,
    stream: !(values["no-stream"] ?? false),
    quiet: values.quiet ?? false,
    trace: values.trace ?? false,
    help: values.help ?? false,
    version: values.version ?? false,
  };
  if (positionals.length > 0) options.task = positionals.join(" ");
  if (values.model !== undefined) options.model = nonEmpty("--model", values.model);
  if (values["base-url"] !== undefined) options.baseUrl = parseUrl("--base-url", values["base-url"]);
  if (values["max-steps"] !== undefined) {
    options.maxSteps = parseInteger("--max-steps", values["max-steps"], 1);
  }
  if (values["timeout-ms"] !== undefined) {
    options.timeoutMs = parseInteger("--timeout-ms", values["timeout-ms"], 1);
  }
  if (values["memory-limit-mb"] !== undefined) {
    options.memoryLimitMb = parseInteger("--memory-limit-mb", values["memory-limit-mb"], 8);
  }
  if (values["max-retries"] !== undefined) {
    options.maxRetries = parseInteger("--max-retries", values["max-retries"], 0);
  }
  if (values.executor !== undefined) options.executor = parseExecutor(values.executor);
  if (values["jupyter-url"] !== undefined) {
    options.jupyterUrl = parseUrl("--jupyter-url", values["jupyter-url"]);
  }
  if (values["jupyter-token"] !== undefined) options.jupyterToken = values["jupyter-token"];
  if (values["no-sandbox"] === true) options.noSandbox = true;
  if (values.images === true) options.images = true;
  if (values["outputs-dir"] !== undefined) options.outputsDir = nonEmpty("--outputs-dir", values["outputs-dir"]);
  if (values.mcp !== undefined && values.mcp.length > 0) options.mcp = [...values.mcp];
  return options;
}

/** The environment variables the CLI reads. */
export interface CliEnvironment {
  OPENAI_API_KEY?: string | undefined;
  OPENAI_BASE_URL?: string | undefined;
  CODEACT_MODEL?: string | undefined;
  CODEACT_DEBUG?: string | undefined;
  JUPYTER_URL?: string | undefined;
  JUPYTER_TOKEN?: string | undefined;
}

/**
 * Completes the options with the environment (options win) and checks that a
 * model server is configured.
 *
 * @throws CliUsageError when there is neither an API key nor a base URL, or
 * an option does not fit the chosen executor.
 */
export function resolveCliConfig(options: CliOptions, env: CliEnvironment): CliConfig {
  const baseUrl = options.baseUrl ?? optionalUrl("OPENAI_BASE_URL", env.OPENAI_BASE_URL);
  const envKey = env.OPENAI_API_KEY?.trim() || undefined;
  if (envKey === undefined && baseUrl === undefined) throw new CliUsageError(MISSING_MODEL_SERVER);
  const executor = options.executor ?? "javascript";
  const jupyterUrl = executor === "python" ? (options.jupyterUrl ?? optionalUrl("JUPYTER_URL", env.JUPYTER_URL)) : undefined;
  const sandbox = executor === "python" && jupyterUrl === undefined && options.noSandbox !== true;
  if (executor === "python" && options.memoryLimitMb !== undefined && !sandbox) {
    throw new CliUsageError(
      "--memory-limit-mb applies to the javascript sandbox and to the sandboxed local Python kernels; a Jupyter server of " +
        "your own (--jupyter-url) or --no-sandbox kernels are limited by their server."
    );
  }
  if (executor === "javascript" && (options.jupyterUrl !== undefined || options.jupyterToken !== undefined)) {
    throw new CliUsageError("--jupyter-url and --jupyter-token need --executor python.");
  }
  if (options.noSandbox === true && executor !== "python") {
    throw new CliUsageError("--no-sandbox applies to --executor python (the JavaScript executor is always a sandbox).");
  }
  if (options.noSandbox === true && jupyterUrl !== undefined) {
    throw new CliUsageError("--no-sandbox applies to the local Jupyter server; a server of your own (--jupyter-url) runs kernels its own way.");
  }
  const config: CliConfig = {
    model: options.model ?? (env.CODEACT_MODEL?.trim() || DEFAULT_MODEL),
    apiKey: envKey ?? PLACEHOLDER_API_KEY,
    maxSteps: options.maxSteps ?? DEFAULT_CLI_MAX_STEPS,
    maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
    executor,
    sandbox,
    images: options.images ?? false,
    outputsDir: options.outputsDir ?? defaultOutputsDir(),
    mcpServers: parseMcpServers(options.mcp ?? []),
    json: options.json,
    stream: options.stream,
    quiet: options.quiet,
    trace: options.trace,
    debug: env.CODEACT_DEBUG === "1" || env.CODEACT_DEBUG === "true",
  };
  if (baseUrl !== undefined) config.baseUrl = baseUrl;
  if (options.timeoutMs !== undefined) config.timeoutMs = options.timeoutMs;
  if (options.memoryLimitMb !== undefined) config.memoryLimitMb = options.memoryLimitMb;
  if (executor === "python") {
    const jupyterToken = options.jupyterToken ?? (env.JUPYTER_TOKEN || undefined);
    if (jupyterUrl !== undefined) config.jupyterUrl = jupyterUrl;
    if (jupyterToken !== undefined) config.jupyterToken = jupyterToken;
  }
  return config;
}

/** Said when no model server is configured: both ways out, with examples. */
export const MISSING_MODEL_SERVER = `No model server is configured. Set one of:
  OPENAI_API_KEY   to use OpenAI, e.g.
                     export OPENAI_API_KEY=sk-...
  --base-url URL   (or OPENAI_BASE_URL) for any OpenAI-compatible server (Ollama, vLLM, llama.cpp), e.g.
                     codeact --base-url http://127.0.0.1:11434/v1 --model qwen2.5-coder "your task"`;

/** The text of `codeact --help`. */
export function helpText(version: string): string {
  return `codeact ${version} — a CodeAct agent: the model solves the task by writing code that runs in a sandbox.

Usage:
  codeact [options] "task"
  echo "task" | codeact [options]        (the task is read from stdin when it is "-" or absent)

Model:
  -m, --model NAME          model name (env CODEACT_MODEL; default ${DEFAULT_MODEL})
      --base-url URL        OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1 for Ollama
                            (env OPENAI_BASE_URL); the key comes from OPENAI_API_KEY
      --no-stream           call the model without streaming
      --max-retries N       retries of a failed model call (default ${DEFAULT_MAX_RETRIES})

Execution:
  -e, --executor LANG       javascript (isolated-vm sandbox, default) or python (Jupyter kernel)
      --max-steps N         code executions before stopping without an answer (default ${DEFAULT_CLI_MAX_STEPS})
      --timeout-ms N        wall-clock limit of one code cell
      --memory-limit-mb N   heap limit of the JavaScript sandbox, or memory limit of each sandboxed
                            local Python kernel
      --jupyter-url URL     Jupyter server for python (env JUPYTER_URL); without it a local
                            jupyter-server is started and stopped at exit
      --jupyter-token T     its token (env JUPYTER_TOKEN)
      --no-sandbox          run the local jupyter-server's kernels without the bubblewrap sandbox
                            (with your user's full rights: files, network, environment)
      --images              send the images a cell displays (charts, plots) to the model;
                            for vision models only
      --mcp SERVER          give the agent an MCP server's tools (repeatable): a command line
                            ("npx -y @modelcontextprotocol/server-everything") or an http(s)
                            URL, optionally named: --mcp docs=http://127.0.0.1:8000/mcp;
                            the code calls them as <name>__<tool>


Output:
      --json                print one JSON object at the end (answer, steps, status) and nothing
                            else on stdout; progress goes to stderr unless --quiet
      --outputs-dir DIR     where displayed images and HTML are saved, one file each, their
                            paths printed (default ./codeact-outputs/<date-time>)
  -q, --quiet               print only the final answer
      --trace               trace the run in LangSmith (also on with LANGSMITH_TRACING=true;
                            needs LANGSMITH_API_KEY) and print the trace URL at the end
  -h, --help                show this help
  -v, --version             show the version

Environment: NO_COLOR disables colours; CODEACT_DEBUG=1 prints stack traces of failures.

Exit codes:
  ${EXIT_ANSWERED}    the model answered
  ${EXIT_FAILED}    the run failed (model server, network or executor error)
  ${EXIT_USAGE}    usage or configuration error
  ${EXIT_MAX_STEPS}    stopped at --max-steps without an answer
  ${EXIT_INTERRUPTED}  interrupted (Ctrl-C)
`;
}

/** `./codeact-outputs/<local date and time>`: one folder per run, created only when a cell displays something. */
function defaultOutputsDir(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}_${pad(now.getHours())}-${pad(now.getMinutes())}-${pad(now.getSeconds())}`;
  return `codeact-outputs/${stamp}`;
}

function nonEmpty(option: string, value: string): string {
  if (value.trim() === "") throw new CliUsageError(`${option} needs a value.`);
  return value.trim();
}

function parseInteger(option: string, value: string, minimum: number): number {
  const number = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < minimum) {
    throw new CliUsageError(`${option} must be a whole number of at least ${minimum}, got "${value}".`);
  }
  return number;
}

function parseUrl(option: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new CliUsageError(`${option} must be an http(s) URL, got "${value}".`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new CliUsageError(`${option} must be an http(s) URL, got "${value}".`);
  }
  return value.trim();
}

function optionalUrl(variable: string, value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  return parseUrl(variable, value);
}

function parseExecutor(value: string): CliExecutorKind {
  const normalized = value.trim().toLowerCase();
  if (normalized === "javascript" || normalized === "js") return "javascript";
  if (normalized === "python" || normalized === "py") return "python";
  throw new CliUsageError(`--executor must be "javascript" or "python", got "${value}".`);
}
