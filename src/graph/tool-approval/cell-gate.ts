/**
 * The gate a cell's tool calls pass when some tools need approval: records
 * every call and how it ended, holds a gated call until a human answers,
 * and — when the cell is re-run to finish it in another process — answers
 * the calls that already happened from that record, so no tool runs twice.
 */
import { isDeepStrictEqual } from "node:util";
import type { StructuredToolInterface } from "@langchain/core/tools";
import type { JsonValue } from "../../executors/types.js";
import { invalidToolInput, type ToolCallGate } from "../../tools/tool-functions.js";
import {
  TOOL_REJECTED_ERROR,
  type RecordedToolCall,
  type ToolApprovalDecision,
  type ToolCallOutcome,
} from "./types.js";

/** Name of the error a re-run cell stops with when its calls differ from the record. */
export const TOOL_REPLAY_ERROR = "ToolReplayError";

interface Waiter {
  call: RecordedToolCall;
  index: number;
  tool: StructuredToolInterface;
  invoke: (input: unknown) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Options of {@link CellGate}. */
export interface CellGateOptions {
  /** Does this call wait for a human? */
  needsApproval: (tool: StructuredToolInterface, input: unknown) => boolean;
  /** The calls of an earlier run of this cell, answered from here instead of running again. */
  record?: readonly RecordedToolCall[];
  /** Called once when the re-run's calls differ from the record: stop the cell. */
  onReplayMismatch?: () => void;
  /** Called before a human's answer is carried out (for traces). */
  onDecision?: (call: RecordedToolCall, decision: ToolApprovalDecision) => Promise<void>;
}

/**
 * One cell's gate. The cell pauses (see {@link paused}) when a gated call
 * waits and no other call is running; from then on new calls are held (not
 * started, not recorded) until every waiting call has its answer, so the
 * record is complete whenever the cell is paused.
 */
export class CellGate implements ToolCallGate {
  /** Every call that reached the gate (held ones once they go on), in order. */
  readonly calls: RecordedToolCall[] = [];
  readonly #options: CellGateOptions;
  readonly #replay: RecordedToolCall[];
  readonly #waiting: Waiter[] = [];
  readonly #held: Array<() => void> = [];
  #frozen = false;
  #running = 0;
  #signalled = false;
  #pause = deferred();
  #pauses = 0;
  #mismatch: string | undefined;

  constructor(options: CellGateOptions) {
    this.#options = options;
    this.#replay = (options.record ?? []).map((call) => ({ ...call }));
  }

  /** Resolves when the cell waits for a human with its record complete. */
  paused(): Promise<void> {
    return this.#pause.promise;
  }

  /** How many times the cell has paused. */
  get pauses(): number {
    return this.#pauses;
  }

  /** Set when a re-run made calls the record does not have: why the cell stopped. */
  get mismatch(): string | undefined {
    return this.#mismatch;
  }

  /** Recorded calls the re-run has not made (yet). */
  get unreplayed(): number {
    return this.#replay.filter((call) => call.outcome !== undefined || call.decision !== undefined).length;
  }

  async call(tool: StructuredToolInterface, input: unknown, invoke: (input: unknown) => Promise<unknown>): Promise<unknown> {
    while (this.#frozen && this.#mismatch === undefined) await new Promise<void>((release) => this.#held.push(release));
    if (this.#mismatch !== undefined) throw replayError(this.#mismatch);
    const args = jsonOf(input);
    if (this.#replay.length > 0) return this.#replayed(tool, args, invoke);
    const call: RecordedToolCall = { tool: tool.name, args };
    const index = this.calls.push(call) - 1;
    if (!this.#options.needsApproval(tool, input)) return this.#run(call, () => invoke(input));
    // Invalid input is not put to a human: the tool's own validation fails the call as usual.
    this.#running += 1;
    let problems: string | undefined;
    try {
      problems = await invalidToolInput(tool, input);
    } finally {
      this.#running -= 1;
    }
    if (problems !== undefined) return this.#run(call, () => invoke(input));
    return this.#wait(call, index, tool, invoke);
  }

  /**
   * Carries out the answers in `record` (the state's copy of this cell's
   * calls) for the calls waiting here; a new pause can follow.
   */
  decide(record: readonly RecordedToolCall[]): void {
    const ready = this.#waiting.filter((waiter) => record[waiter.index]?.decision !== undefined);
    if (ready.length === 0) return;
    this.#signalled = false;
    this.#pause = deferred();
    for (const waiter of ready) {
      this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
      void this.#carryOut(waiter, record[waiter.index]?.decision as ToolApprovalDecision);
    }
    this.#settle();
  }

  /** Stops every waiting and held call (the cell is abandoned). */
  abandon(reason: string): void {
    this.#mismatch ??= reason;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(replayError(reason));
    this.#release();
  }

  async #replayed(
    tool: StructuredToolInterface,
    args: JsonValue,
    invoke: (input: unknown) => Promise<unknown>
  ): Promise<unknown> {
    const position = this.#replay.findIndex((call) => call.tool === tool.name && isDeepStrictEqual(call.args, args));
    if (position < 0) {
      this.#mismatch = mismatchMessage(tool.name, args, this.#replay);
      this.abandon(this.#mismatch);
      this.#options.onReplayMismatch?.();
      throw replayError(this.#mismatch);
    }
    const [recorded] = this.#replay.splice(position, 1) as [RecordedToolCall];
    const call: RecordedToolCall = { ...recorded };
    const index = this.calls.push(call) - 1;
    if (recorded.outcome !== undefined) return answer(recorded.outcome);
    if (recorded.decision !== undefined) {
      const waiter = this.#waiter(call, index, tool, invoke);
      void this.#carryOut(waiter.waiter, recorded.decision);
      return waiter.promise;
    }
    // Still waiting for its answer when the record was taken: ask (again).
    return this.#wait(call, index, tool, invoke);
  }

  #wait(call: RecordedToolCall, index: number, tool: StructuredToolInterface, invoke: (input: unknown) => Promise<unknown>): Promise<unknown> {
    call.awaiting = true;
    const { waiter, promise } = this.#waiter(call, index, tool, invoke);
    this.#waiting.push(waiter);
    this.#frozen = true;
    this.#settle();
    return promise;
  }

  #waiter(call: RecordedToolCall, index: number, tool: StructuredToolInterface, invoke: (input: unknown) => Promise<unknown>) {
    let resolve!: (value: unknown) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<unknown>((onValue, onError) => {
      resolve = onValue;
      reject = onError;
    });
    return { waiter: { call, index, tool, invoke, resolve, reject }, promise };
  }

  async #carryOut(waiter: Waiter, decision: ToolApprovalDecision): Promise<void> {
    const { call } = waiter;
    call.decision = decision;
    this.#running += 1;
    try {
      await this.#options.onDecision?.(call, decision);
      if (decision.action === "reject") {
        const reason = decision.reason?.trim();
        const error = new Error(`${waiter.tool.name}: the user rejected this call${reason ? `: ${reason}` : ""}.`);
        error.name = TOOL_REJECTED_ERROR;
        throw error;
      }
      const input = decision.action === "edit" ? decision.args : call.args;
      const value = await waiter.invoke(input);
      call.outcome = valueOutcome(value);
      delete call.awaiting;
      waiter.resolve(value);
    } catch (error) {
      call.outcome = errorOutcome(error);
      delete call.awaiting;
      waiter.reject(error);
    } finally {
      this.#running -= 1;
      this.#settle();
    }
  }

  async #run(call: RecordedToolCall, run: () => Promise<unknown>): Promise<unknown> {
    this.#running += 1;
    try {
      const value = await run();
      call.outcome = valueOutcome(value);
      return value;
    } catch (error) {
      call.outcome = errorOutcome(error);
      throw error;
    } finally {
      this.#running -= 1;
      this.#settle();
    }
  }

  /** Pauses when a call waits and nothing runs; lets held calls go when nothing waits. */
  #settle(): void {
    if (this.#waiting.length === 0) {
      if (this.#frozen) {
        this.#frozen = false;
        this.#release();
      }
      return;
    }
    if (this.#running === 0 && !this.#signalled) {
      this.#signalled = true;
      this.#pauses += 1;
      this.#pause.resolve();
    }
  }

  #release(): void {
    for (const release of this.#held.splice(0)) release();
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((onValue) => {
    resolve = onValue;
  });
  return { promise, resolve };
}

/** The input as the JSON the record keeps (what a re-run's call is compared with). */
function jsonOf(value: unknown): JsonValue {
  if (value === undefined) return null;
  try {
    return JSON.parse(JSON.stringify(value)) as JsonValue;
  } catch {
    return null;
  }
}

function valueOutcome(value: unknown): ToolCallOutcome {
  return value === undefined ? { ok: true } : { ok: true, value: jsonOf(value) };
}

function errorOutcome(error: unknown): ToolCallOutcome {
  const name = error instanceof Error && typeof error.name === "string" && error.name !== "" ? error.name : "Error";
  const message = error instanceof Error ? String(error.message) : String(error);
  return { ok: false, error: { name, message } };
}

/** What the code receives for a recorded call: the same value, or the same error. */
function answer(outcome: ToolCallOutcome): unknown {
  if (outcome.ok) return outcome.value;
  const error = new Error(outcome.error.message);
  error.name = outcome.error.name;
  throw error;
}

function replayError(message: string): Error {
  const error = new Error(message);
  error.name = TOOL_REPLAY_ERROR;
  return error;
}

function mismatchMessage(tool: string, args: JsonValue, expected: readonly RecordedToolCall[]): string {
  const shown = (name: string, value: JsonValue) => `${name}(${clipJson(value)})`;
  const next = expected.slice(0, 3).map((call) => shown(call.tool, call.args)).join(", ");
  return (
    `This cell was run again to finish it after its approval, and it called ${shown(tool, args)}, which its first run ` +
    `did not (that run called ${next}${expected.length > 3 ? ", …" : ""} at this point). Tools that already ran are ` +
    "never called twice, so the cell stopped here. The code is not deterministic (time, randomness, or the order " +
    "of concurrent calls); check what was done and continue in a new cell."
  );
}

function clipJson(value: JsonValue): string {
  const text = JSON.stringify(value) ?? "null";
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}
