/**
 * Typed errors for infrastructure failures. Failures of the model's code are
 * never thrown: they are returned in `ExecuteResult.error`.
 *
 * Each error carries a stable `code` that callers can switch on; messages
 * may be reworded between versions, codes may not.
 */

/** Stable codes of {@link ExecutorError}. */
export type ExecutorErrorCode =
  | "EXECUTOR_CLOSED"
  | "EXECUTOR_UNAVAILABLE"
  | "EXECUTOR_UNAUTHORIZED"
  | "EXECUTOR_PROTOCOL"
  | "SANDBOX_UNAVAILABLE";

export interface ExecutorErrorOptions {
  cause?: unknown;
  /** Structured context: the URL tried, the session id, … */
  details?: Record<string, unknown>;
}

/** Base class of every error an executor throws. */
export class ExecutorError extends Error {
  readonly code: ExecutorErrorCode;
  readonly details: Record<string, unknown>;

  constructor(
    code: ExecutorErrorCode,
    message: string,
    options: ExecutorErrorOptions = {}
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** `execute()` was called after `close()`. */
export class ExecutorClosedError extends ExecutorError {
  constructor(executorName: string) {
    super("EXECUTOR_CLOSED", `The ${executorName} executor is closed; create a new one.`, {
      details: { executor: executorName },
    });
  }
}

/** A remote backend (a Jupyter server, a worker) could not be reached. */
export class ExecutorUnavailableError extends ExecutorError {
  constructor(message: string, options: ExecutorErrorOptions = {}) {
    super("EXECUTOR_UNAVAILABLE", message, options);
  }
}

/** A remote backend refused our credentials. */
export class ExecutorUnauthorizedError extends ExecutorError {
  constructor(message: string, options: ExecutorErrorOptions = {}) {
    super("EXECUTOR_UNAUTHORIZED", message, options);
  }
}

/** A remote backend answered something the protocol does not allow. */
export class ExecutorProtocolError extends ExecutorError {
  constructor(message: string, options: ExecutorErrorOptions = {}) {
    super("EXECUTOR_PROTOCOL", message, options);
  }
}

/**
 * The Python sandbox cannot start here (bubblewrap missing, user namespaces
 * off): the message says why and how to opt out. Never a silent fallback.
 */
export class SandboxUnavailableError extends ExecutorError {
  constructor(message: string, options: ExecutorErrorOptions = {}) {
    super("SANDBOX_UNAVAILABLE", message, options);
  }
}
