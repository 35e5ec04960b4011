/** Options of the Jupyter executor and their defaults. */

export const DEFAULT_KERNEL_NAME = "python3";
export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_OUTPUT_CHARS = 20_000;
export const DEFAULT_INTERRUPT_GRACE_MS = 3_000;
export const DEFAULT_MAX_VARIABLE_CHARS = 100_000;
/**
 * Tornado, under Jupyter Server and the gateways, closes a WebSocket on a
 * message over 10 MiB (`websocket_max_message_size`); a tool reply that big
 * would be lost and the cell would wait for it until its timeout.
 */
export const DEFAULT_MAX_TOOL_RESULT_BYTES = 8 * 1024 * 1024;
export const DEFAULT_MAX_RICH_OUTPUTS = 50;
export const DEFAULT_MAX_RICH_OUTPUT_CHARS = 20 * 1024 * 1024;
export interface JupyterExecutorOptions {
  /** HTTP(S) URL of a Jupyter Server, Kernel Gateway or Enterprise Gateway. */
  baseUrl: string;
  /** WebSocket URL of the same server; derived from `baseUrl` by default. */
  wsUrl?: string;
  /** Server token, sent as `Authorization: token <token>`. */
  token?: string;
  /** Kernel spec to start. @defaultValue `"python3"` */
  kernelName?: string;
  /** Wall-clock limit of one cell, tool calls included. @defaultValue `60_000` */
  timeoutMs?: number;
  /** Cap on `output`, `value`, the error message and the traceback (head and tail kept, with a marker). @defaultValue `20_000` */
  maxOutputChars?: number;
  /**
   * How long an interrupted cell may take to stop before the kernel is
   * restarted and its variables restored. @defaultValue `3_000`
   */
  interruptGraceMs?: number;
  /** Variables whose JSON is longer are not snapshotted. @defaultValue `100_000` */
  maxVariableChars?: number;
  /**
   * Keep displayed images in `outputs` (the graph's
   * `includeImagesInObservation` decides whether a model sees them). When
   * false they are dropped and a one-line note is written to `output`.
   * @defaultValue `true`
   */
  keepImages?: boolean;
  /** @deprecated Renamed {@link keepImages}; read when `keepImages` is not set. */
  imagesForModel?: boolean;
  /** Most rich outputs (images, HTML, JSON) one cell returns; more are dropped with a note. @defaultValue `50` */
  maxRichOutputs?: number;
  /** Total characters of rich output data one cell returns. @defaultValue `20 * 1024 * 1024` */
  maxRichOutputChars?: number;
  /**
   * Leave kernels running on `close()`, so another process can resume them
   * with the `resumeToken`: those whose id reached the caller (a result's or
   * `onResumeToken`'s token, or the token the caller brought). A kernel
   * started for a cell that had not answered yet is shut down: nothing could
   * find it again. @defaultValue `false`
   */
  keepKernelsOnClose?: boolean;
  /**
   * The server runs its kernels in the sandbox (`startLocalJupyter({ sandbox })`):
   * the model is told what that means for its code (no network, where files
   * go, processes end with their cell). @defaultValue `false`
   */
  sandboxed?: boolean;
  /**
   * Kernels kept started ahead of new sessions: a new session (or a
   * replacement for a dead kernel) takes a warm one, which has already
   * imported ipykernel and answered, and another starts in its place. Its
   * first cell then skips the kernel's start (most of a second). Each warm
   * kernel is a Python process on the server; `close()` shuts them down,
   * `keepKernelsOnClose` or not. For one new session soon, without a
   * replacement, call {@link JupyterExecutor.prestartKernel} instead.
   * @defaultValue `0`
   */
  warmKernels?: number;
  /** Limit of one REST call to the server. @defaultValue `30_000` */
  requestTimeoutMs?: number;
  /**
   * A tool result whose JSON is longer fails in the code with a clear error
   * (the WebSocket would drop it). Raise it only for a server configured with
   * a larger `websocket_max_message_size`. @defaultValue `8 * 1024 * 1024`
   */
  maxToolResultBytes?: number;
}

/** A positive finite option, or its default. */
export function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

/** `warmKernels`, checked: a whole number of kernels, 0 or more. */
export function warmKernelCount(value: number | undefined): number {
  if (value === undefined) return 0;
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`warmKernels must be a whole number of kernels, 0 or more; got ${String(value)}.`);
  }
  return value;
}
