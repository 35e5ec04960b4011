/**
 * What the Studio graphs share within one server process: chat models and
 * executors, created on first use and cached per settings, and the local
 * Jupyter server the Python agents start lazily (unless `JUPYTER_URL` is set)
 * and stop when the process exits.
 */
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { ChatOpenAI } from "@langchain/openai";
import { createExecutor, type JupyterServerAddress } from "../src/executors/create-executor.js";
import type { CodeLanguage, Executor } from "../src/executors/types.js";
import { startLocalJupyter } from "../src/executors/jupyter/index.js";
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
        ? createExecutor({
            language,
            options: { timeoutMs: settings.timeoutMs, memoryLimitMb: settings.memoryLimitMb },
          })
        : createExecutor({
            language,
            server: jupyterConnection,
            // The model is told about the sandbox when the kernels run in it (a local server).
            // On the local server (stopped with the process) one kernel is kept ready, so a new thread's
            // first cell skips the kernel's start; nothing would shut a warm kernel down on a remote one.
            options: {
              timeoutMs: settings.timeoutMs,
              sandboxed: !process.env["JUPYTER_URL"] && sandboxSetting(),
              warmKernels: process.env["JUPYTER_URL"] ? 0 : 1,
            },
          });
    executors.set(key, executor);
  }
  return executor;
}

let jupyter: Promise<JupyterServerAddress> | undefined;

/**
 * Whether the local server's kernels run in the bubblewrap sandbox: on,
 * unless the server's operator sets `CODEACT_PYTHON_SANDBOX=off` (an
 * assistant's settings cannot turn it off).
 */
function sandboxSetting(): boolean {
  const value = process.env["CODEACT_PYTHON_SANDBOX"]?.trim().toLowerCase();
  if (value === undefined || value === "" || value === "on") return true;
  if (value === "off") return false;
  throw new Error(`CODEACT_PYTHON_SANDBOX must be "on" or "off", got ${JSON.stringify(process.env["CODEACT_PYTHON_SANDBOX"])}.`);
}

/** Where the Python kernels live: `JUPYTER_URL`/`JUPYTER_TOKEN`, else one local server for the process. */
function jupyterConnection(): Promise<JupyterServerAddress> {
  jupyter ??= (async () => {
    const url = process.env["JUPYTER_URL"];
    if (url !== undefined && url !== "") {
      const token = process.env["JUPYTER_TOKEN"];
      return { baseUrl: url, ...(token ? { token } : {}) };
    }
    const local = await startLocalJupyter({ sandbox: sandboxSetting() });
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
