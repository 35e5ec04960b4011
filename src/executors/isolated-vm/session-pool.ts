import { IsolateSession, inRootScope, type IsolateSessionOptions, type RunHooks } from "./isolate-session.js";

/** A cell that leaves no trace: no globals, no output, a value nobody reads. */
export const WARM_UP_CODE = "0";
/**
 * {@link WARM_UP_CODE} as the transform makes it (`transformCell(WARM_UP_CODE,
 * WARM_UP_FILENAME)`, checked by a test), written out so that the worker
 * process, which runs the pool, never loads the transform.
 */
export const WARM_UP_SCRIPT = "(async () => { return [(0)]\n})()\n//# sourceURL=warm-up.ts";
export const WARM_UP_FILENAME = "warm-up.ts";
/** Installed for the warm-up, so the tool path is compiled too; replaced by the first real cell's tools. */
const WARM_UP_TOOL = "__codeactWarmUp";
const WARM_UP_TIMEOUT_MS = 5_000;
const WARM_UP_HOOKS: RunHooks = { dispatch: async () => "{}", onOutput: () => {} };

/**
 * A few isolates with the guest runtime already installed, so a new session
 * takes a ready one instead of building it (isolate, context, runtime, first
 * compile: several ms). Refilled in the background ({@link fill}) once the
 * cell that took one has answered, never on its path; bounded by `size`;
 * emptied by {@link close}.
 */
export class SessionPool {
  readonly #options: IsolateSessionOptions;
  readonly #size: number;
  readonly #ready: IsolateSession[] = [];
  /** The refill under way, if any: one at a time, so a burst of takes never builds many at once. */
  #refilling: Promise<void> | undefined;
  #closed = false;

  constructor(options: IsolateSessionOptions, size: number) {
    this.#options = options;
    this.#size = Math.max(0, Math.floor(size));
  }

  /** Ready isolates now waiting (tests, monitoring). */
  get readyCount(): number {
    return this.#ready.length;
  }

  /** A ready session, or a new one when the pool is empty; call {@link fill} after using it. */
  async take(): Promise<IsolateSession> {
    let session: IsolateSession | undefined;
    while ((session = this.#ready.shift()) !== undefined && session.disposed) {
      // lost while waiting (e.g. a catastrophic V8 error): skip it
    }
    // no refill here: building blocks this thread for a few ms, which would land in
    // the cell about to run; the executor calls fill() once that cell has answered
    if (session) return session;
    // the refill under way will finish first; building our own now is as fast as waiting for it
    return IsolateSession.create(this.#options);
  }

  /** Starts filling the pool in the background (no-op when full, closed or already filling). */
  fill(): void {
    if (this.#closed || this.#refilling || this.#ready.length >= this.#size) return;
    // outside the caller's async context: the refill must not keep a graph run's context alive
    this.#refilling = inRootScope(() => this.#refill()).finally(() => {
      this.#refilling = undefined;
    });
  }

  /** Disposes the ready isolates; later refills stop. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const session of this.#ready.splice(0)) session.kill("closed");
    await this.#refilling;
  }

  async #refill(): Promise<void> {
    // yield first: the cell that took a session runs before we build the next one
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (!this.#closed && this.#ready.length < this.#size) {
      let session: IsolateSession;
      try {
        // partly async: a worker's event loop keeps serving cells in between
        session = await IsolateSession.create(this.#options, "background");
      } catch {
        return; // e.g. out of memory: sessions are then built on demand, which reports the error
      }
      try {
        // one throwaway cell shaped like a real one (transformed, with a tool set): V8 compiles
        // the runtime's functions lazily, per isolate, on first use (~3 ms), which would
        // otherwise fall on the session's first real cell
        // (the tool is removed by the first real cell, which always brings its own set)
        await session.run(WARM_UP_SCRIPT, WARM_UP_TIMEOUT_MS, WARM_UP_HOOKS, [WARM_UP_TOOL]);
      } catch {
        session.kill("crash");
        return;
      }
      if (this.#closed) {
        session.kill("closed");
        return;
      }
      this.#ready.push(session);
    }
  }
}
