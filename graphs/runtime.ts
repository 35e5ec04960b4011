/**
 * What the Studio graphs share within one server process: chat models and
 * executors, created on first use and cached per settings, and the local
 * Jupyter server the Python agents start lazily (unless `JUPYTER_URL` is set)
 * and stop when the process exits.
 */
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { ChatOpenAI } from "@langchain/openai";
import type {
  CodeLanguage,
  ExecuteRequest,
  ExecuteResult,
  Executor,
} from "../src/executors/types.js";
import { IsolatedVmExecutor } from "../src/executors/isolated-vm/index.js";
import { JupyterExecutor, startLocalJupyter } from "../src/executors/jupyter/index.js";
import type { AgentSettings } from "./settings.js";

const models = new Map<string, BaseChatModel>();
const executors = new Map<string, Executor>();

/** The settings' chat model (OpenAI-compatible; the API key comes from `OPENAI_API_KEY`). */
export function chatModelFor(settings: AgentSettings): BaseChatModel {
  const key = JSON.stringify([settings.model, settings.baseUrl, settings.temperature]);
  let model = models.get(key);
  if (model === undefined) {
    model = new ChatOpenAI({
      model: settings.model,
      ...(settings.temperature !== undefined && { temperature: settings.temperature }),
      ...(settings.baseUrl !== undefined && { configuration: { baseURL: settings.baseUrl } }),
    });
    models.set(key, model);
  }
  return model;
}

/** The executor for a language and the settings' limits, shared by every agent that asks. */
export function executorFor(language: CodeLanguage, settings: AgentSettings): Executor {
  const key =
    language === "javascript"
      ? JSON.stringify([language, settings.timeoutMs, settings.memoryLimitMb])
      : JSON.stringify([language, settings.timeoutMs]);
  let executor = executors.get(key);
  if (executor === undefined) {
    executor =
      language === "javascript"
        ? new IsolatedVmExecutor({
            timeoutMs: settings.timeoutMs,
            memoryLimitMb: settings.memoryLimitMb,
          })
        : new LazyJupyterExecutor(settings.timeoutMs);
    executors.set(key, executor);
  }
  return executor;
}

/** Where the Python kernels live: `JUPYTER_URL`/`JUPYTER_TOKEN`, else a local server. */
interface JupyterConnection {
  baseUrl: string;
  token: string | undefined;
}

let jupyter: Promise<JupyterConnection> | undefined;

function jupyterConnection(): Promise<JupyterConnection> {
  jupyter ??= (async () => {
    const url = process.env["JUPYTER_URL"];
    if (url !== undefined && url !== "") {
      return { baseUrl: url, token: process.env["JUPYTER_TOKEN"] || undefined };
    }
    const local = await startLocalJupyter();
    // 'exit' handlers must be synchronous: SIGTERM makes jupyter-server shut
    // its kernels down itself (they run in their own process sessions, so a
    // signal to our process group would not reach them).
    process.once("exit", () => {
      try {
        process.kill(local.pid, "SIGTERM");
      } catch {
        // Already gone.
      }
    });
    return { baseUrl: local.baseUrl, token: local.token };
  })();
  // A failed start (jupyter-server not installed) is retried on the next cell.
  jupyter.catch(() => {
    jupyter = undefined;
  });
  return jupyter;
}

/**
 * A {@link JupyterExecutor} whose server is found (or started) on the first
 * cell, so loading a Python graph costs nothing until it runs code.
 */
class LazyJupyterExecutor implements Executor {
  readonly name = "jupyter";
  readonly language = "python" as const;
  readonly description: string;
  readonly #timeoutMs: number;
  #executor: Promise<JupyterExecutor> | undefined;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
    // The description depends only on the limits; the client connects lazily,
    // so a placeholder URL gives us the executor's own words for the prompt.
    this.description = new JupyterExecutor({ baseUrl: "http://127.0.0.1:9/", timeoutMs }).description;
  }

  async execute(request: ExecuteRequest): Promise<ExecuteResult> {
    this.#executor ??= jupyterConnection().then(
      ({ baseUrl, token }) =>
        new JupyterExecutor({
          baseUrl,
          ...(token !== undefined && { token }),
          timeoutMs: this.#timeoutMs,
        })
    );
    this.#executor.catch(() => {
      this.#executor = undefined;
    });
    return (await this.#executor).execute(request);
  }

  async close(): Promise<void> {
    if (this.#executor !== undefined) await (await this.#executor).close();
  }
}
