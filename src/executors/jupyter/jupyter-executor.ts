import { ExecutorClosedError } from "../errors.js";
import { combineSessionChanges } from "../session-change.js";
import type { ExecuteRequest, ExecuteResult, Executor } from "../types.js";
import { noDefinitions } from "../session-definitions.js";
import { CellOutput, cellNotes } from "./cell-output.js";
import { CellRunner } from "./cell-run.js";
import type { KernelSession } from "./kernel-session.js";
import { JupyterClient } from "./rest-client.js";
import { formatResumeToken } from "./resume-token.js";
import { SessionLifecycle, SETUP_TIMEOUT_MS } from "./session-lifecycle.js";
import { withNote } from "./session-changes.js";
import {
  DEFAULT_INTERRUPT_GRACE_MS,
  DEFAULT_KERNEL_NAME,
  DEFAULT_MAX_OUTPUT_CHARS,
  DEFAULT_MAX_RICH_OUTPUT_CHARS,
  DEFAULT_MAX_RICH_OUTPUTS,
  DEFAULT_MAX_TOOL_RESULT_BYTES,
  DEFAULT_MAX_VARIABLE_CHARS,
  DEFAULT_TIMEOUT_MS,
  positive,
  warmKernelCount,
  type JupyterExecutorOptions,
} from "./options.js";

/** Tool stubs are only installed under names Python can call. */
const PYTHON_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Runs Python in Jupyter kernels: one kernel per session, on any server that
 * speaks the Jupyter Server REST + WebSocket kernel API.
 */
export class JupyterExecutor implements Executor {
  readonly name = "jupyter";
  readonly language = "python" as const;
  readonly description: string;

  readonly #sessions: SessionLifecycle;
  readonly #cells: CellRunner;
  readonly #maxOutputChars: number;
  readonly #keepImages: boolean;
  readonly #maxRichOutputs: number;
  readonly #maxRichOutputChars: number;
  /** Per-session queue: cells of one session run one after another. */
  readonly #queues = new Map<string, Promise<unknown>>();
  #closing: Promise<void> | undefined;

  constructor(options: JupyterExecutorOptions) {
    const client = new JupyterClient(options);
    this.#sessions = new SessionLifecycle(client, {
      kernelName: options.kernelName ?? DEFAULT_KERNEL_NAME,
      keepKernelsOnClose: options.keepKernelsOnClose ?? false,
      executorName: this.name,
      warmKernels: warmKernelCount(options.warmKernels),
    });
    const timeoutMs = positive(options.timeoutMs, DEFAULT_TIMEOUT_MS);
    this.#maxOutputChars = positive(options.maxOutputChars, DEFAULT_MAX_OUTPUT_CHARS);
    this.#cells = new CellRunner(
      client,
      this.#sessions,
      {
        timeoutMs,
        interruptGraceMs: positive(options.interruptGraceMs, DEFAULT_INTERRUPT_GRACE_MS),
        maxVariableChars: options.maxVariableChars ?? DEFAULT_MAX_VARIABLE_CHARS,
        maxOutputChars: this.#maxOutputChars,
        maxToolResultBytes: positive(options.maxToolResultBytes, DEFAULT_MAX_TOOL_RESULT_BYTES),
      },
      this.name,
      () => this.#closing !== undefined
    );
    this.#keepImages = options.keepImages ?? options.imagesForModel ?? true;
    this.#maxRichOutputs = options.maxRichOutputs ?? DEFAULT_MAX_RICH_OUTPUTS;
    this.#maxRichOutputChars = options.maxRichOutputChars ?? DEFAULT_MAX_RICH_OUTPUT_CHARS;
    this.description = [
      "Your code runs in an IPython (Jupyter) kernel, Python 3. Call tools with keyword arguments; a failing tool raises an exception.",
      "Figures (plt.show(), display()) and HTML tables are shown to the user; you see a one-line note for each, and an image itself only if images are sent to you.",
      `Each code block may run for at most ${Math.round(timeoutMs / 1000)} s; input() is not available.`,
      ...(options.sandboxed === true
        ? [
            "The kernel is sandboxed: it has no network (reach the outside only through the tools), it can write files only in /scratch (the working directory) and /tmp, and a process it starts ends with the code block that started it.",
          ]
        : []),
    ].join(" ");
  }

  async execute(request: ExecuteRequest): Promise<ExecuteResult> {
    if (this.#closing) throw new ExecutorClosedError(this.name);
    const previous = this.#queues.get(request.sessionId) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.#run(request));
    this.#queues.set(request.sessionId, run);
    try {
      return await run;
    } finally {
      if (this.#queues.get(request.sessionId) === run) this.#queues.delete(request.sessionId);
    }
  }

  /**
   * Starts one kernel now, for the next session that needs a new kernel, so
   * its first cell does not wait for the kernel to start (most of a second).
   * Call it when a session is coming soon, e.g. before the model's first
   * reply. Unlike {@link JupyterExecutorOptions.warmKernels} it is not
   * replaced once taken. A kernel that fails to start is forgotten: the
   * session then starts its own and reports that one's error.
   */
  prestartKernel(): void {
    if (this.#closing) throw new ExecutorClosedError(this.name);
    this.#sessions.prestartKernel();
  }

  /** Drops the session here and leaves its kernel running (see {@link Executor.forgetSession}). */
  async forgetSession(sessionId: string): Promise<void> {
    await (this.#queues.get(sessionId) ?? Promise.resolve()).catch(() => undefined);
    this.#sessions.forget(sessionId);
  }

  close(): Promise<void> {
    this.#closing ??= this.#sessions.close();
    return this.#closing;
  }

  async #run(request: ExecuteRequest): Promise<ExecuteResult> {
    const startedAt = performance.now();
    const aborted = (message: string): ExecuteResult => ({
      output: "",
      outputs: [],
      error: { name: "AbortError", message },
      durationMs: performance.now() - startedAt,
    });
    if (this.#closing) throw new ExecutorClosedError(this.name);
    if (request.signal?.aborted) return aborted("The run was aborted before it started.");
    const { session, change: startChange } = await this.#sessions.ensure(
      request.sessionId,
      request.variables,
      request.resumeToken,
      request.definitions,
      request.startOver === true
    );
    if (request.onResumeToken) request.onResumeToken(handOutToken(session));
    const tools = request.tools ?? {};
    await session.installTools(Object.keys(tools).filter((name) => PYTHON_IDENTIFIER.test(name)).sort(), SETUP_TIMEOUT_MS);
    if (request.signal?.aborted) {
      return {
        ...aborted("The run was aborted before the code started."),
        variables: session.variables,
        unsavedVariables: session.unsavedVariables,
        resumeToken: handOutToken(session),
        ...(startChange && { sessionChange: startChange }),
      };
    }

    const output = new CellOutput(
      {
        maxOutputChars: this.#maxOutputChars,
        maxRichOutputs: this.#maxRichOutputs,
        maxRichOutputChars: this.#maxRichOutputChars,
      },
      request.onOutput
    );
    const outcome = await this.#cells.run(session, request, tools, output);
    session.lastUsedAt = Date.now();
    let change = combineSessionChanges(startChange, outcome.change);

    const snapshot = outcome.snapshot;
    if (snapshot) {
      session.variables = snapshot.variables;
      session.unsavedVariables = snapshot.unsaved;
      session.definitions = snapshot.definitions;
      for (const note of cellNotes(snapshot)) output.write(note);
    } else if (!outcome.change) {
      // The kernel answered but could not snapshot: keep the last good
      // snapshot (the result leaves `variables` out) and say what is at risk.
      change = withNote(
        change,
        "The variables could not be saved after this code ran; the last saved ones are kept, and anything defined since would be lost if the kernel restarted."
      );
    }
    const outputs = this.#keepImages ? output.outputs : output.outputs.filter((item) => !item.mimeType.startsWith("image/"));
    const result: ExecuteResult = {
      output: output.output,
      outputs,
      // Only a snapshot taken now, or the one a replacement kernel was restored from.
      ...((snapshot || outcome.change) && {
        variables: session.variables,
        unsavedVariables: session.unsavedVariables,
        ...(!noDefinitions(session.definitions) && { definitions: session.definitions }),
      }),
      resumeToken: handOutToken(session),
      durationMs: performance.now() - startedAt,
    };
    const dropped = output.outputs.length - outputs.length;
    if (dropped > 0) result.output += `\n[${dropped} image output(s) not shown]`;
    if (output.value !== undefined) result.value = output.value;
    if (outcome.error) result.error = outcome.error;
    if (change) result.sessionChange = change;
    if (output.truncated) result.truncated = true;
    return result;
  }
}

/** The session's resume token, for the caller: its kernel is now one a later process may come back to. */
function handOutToken(session: KernelSession): string {
  session.resumable = true;
  return formatResumeToken(session.kernelId);
}

/** Creates a {@link JupyterExecutor}. */
export function createJupyterExecutor(options: JupyterExecutorOptions): JupyterExecutor {
  return new JupyterExecutor(options);
}
