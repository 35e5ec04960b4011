/**
 * The in-process executor's sessions by id, in least-recently-used order:
 * each slot outlives the isolates that hold it (a restart replaces the
 * isolate, not the slot), is disposed after its idle time, and the oldest
 * idle ones are evicted beyond `maxSessions`.
 */
import type { JsonValue, SessionDefinitions } from "../types.js";
import type { IsolateSession, SessionFailure } from "./isolate-session.js";

export /** One session id's state across isolate rebuilds. */
interface SessionSlot {
  id: string;
  session: IsolateSession | undefined;
  /** Last snapshot, as JSON text per global (kept as text so later diffs are cheap). */
  variablesJson: Map<string, string>;
  unsavedVariables: string[];
  /** Functions and classes to replay, and where their instances are (see ExecuteResult.definitions). */
  definitions: SessionDefinitions;
  cellCount: number;
  /** Tail of the per-session queue: cells of one session run one at a time. */
  queue: Promise<unknown>;
  running: number;
  idleTimer: NodeJS.Timeout | undefined;
}

export class SessionSlots {
  readonly #slots = new Map<string, SessionSlot>();
  readonly #idleTimeoutMs: number;
  readonly #maxSessions: number | undefined;
  /** Set by the executor's close(): no idle clock is started after it. */
  closed = false;
  /** New sessions between {@link reserve} and {@link release}. */
  #starting = 0;
  readonly #waiters: Array<() => void> = [];

  constructor(idleTimeoutMs: number, maxSessions: number | undefined) {
    this.#idleTimeoutMs = idleTimeoutMs;
    this.#maxSessions = maxSessions;
  }

  /** Sessions whose isolate is alive. */
  get liveCount(): number {
    let count = 0;
    for (const slot of this.#slots.values()) if (slot.session && !slot.session.disposed) count += 1;
    return count;
  }

  /** The session id's slot (a new one if needed), now the most recently used. */
  get(sessionId: string): SessionSlot {
    let slot = this.#slots.get(sessionId);
    if (slot) {
      // Map order doubles as LRU order
      this.#slots.delete(sessionId);
    } else {
      slot = {
        id: sessionId,
        session: undefined,
        variablesJson: new Map(),
        unsavedVariables: [],
        definitions: { code: [] },
        cellCount: 0,
        queue: Promise.resolve(),
        running: 0,
        idleTimer: undefined,
      };
    }
    this.#slots.set(sessionId, slot);
    return slot;
  }

  /** Restarts the idle clock of a slot that has nothing queued. */
  touch(slot: SessionSlot): void {
    if (slot.running > 0 || this.closed) return;
    this.#wake();
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = setTimeout(() => {
      if (slot.running === 0 && this.#slots.get(slot.id) === slot) {
        this.dispose(slot, "closed");
        this.#slots.delete(slot.id);
      }
    }, this.#idleTimeoutMs);
    slot.idleTimer.unref();
  }

  /**
   * Waits until a new session may start within `maxSessions` (live ones plus
   * those starting), evicting idle ones first; at most `timeoutMs`. Returns
   * false when every session stayed busy that long. Call {@link release}
   * once the new session has started (or failed to).
   */
  async reserve(keep: SessionSlot, timeoutMs: number): Promise<boolean> {
    if (this.#maxSessions === undefined) return true;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.#evictBeyondLimit(keep);
      if (this.liveCount + this.#starting + 1 <= this.#maxSessions) {
        this.#starting += 1;
        return true;
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) return false;
      // Woken when a session goes idle (evictable) or away, or a start ends.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        timer.unref();
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Ends a reservation from {@link reserve}. */
  release(): void {
    if (this.#starting > 0) this.#starting -= 1;
    this.#wake();
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  /** Keeps at most `maxSessions` isolates, evicting the least recently used idle ones. */
  #evictBeyondLimit(keep: SessionSlot): void {
    if (this.#maxSessions === undefined) return;
    let live = this.liveCount + this.#starting + 1; // those starting, and the one about to
    for (const slot of this.#slots.values()) {
      if (live <= this.#maxSessions) break;
      if (slot === keep || slot.running > 0 || !slot.session || slot.session.disposed) continue;
      this.dispose(slot, "closed");
      this.#slots.delete(slot.id);
      live -= 1;
    }
  }

  /**
   * Takes the session id's slot out: the next {@link get} starts a new one.
   * Cells already queued on it still run; the caller disposes it after them.
   */
  detach(sessionId: string): SessionSlot | undefined {
    const slot = this.#slots.get(sessionId);
    if (slot === undefined) return undefined;
    this.#slots.delete(sessionId);
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    this.#wake();
    return slot;
  }

  dispose(slot: SessionSlot, failure: SessionFailure): void {
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.session?.kill(failure);
    this.#wake();
  }

  /** Disposes every session (the executor is closing). */
  disposeAll(): void {
    this.closed = true;
    this.#wake();
    for (const slot of this.#slots.values()) this.dispose(slot, "closed");
    this.#slots.clear();
  }
}

/** A snapshot as JSON text per global (kept as text so later diffs are cheap). */
export function jsonTexts(variables: Record<string, JsonValue> | undefined): Map<string, string> {
  const entries = new Map<string, string>();
  for (const [name, value] of Object.entries(variables ?? {})) {
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch {
      // Nested too deeply (or not JSON after all): not restorable, so it is reported lost.
      json = undefined;
    }
    entries.set(name, json ?? UNRESTORABLE_JSON);
  }
  return entries;
}

/** Stands for a value that cannot be restored: the guest's restore refuses it, so the name is reported lost. */
const UNRESTORABLE_JSON = "\u0000";
