import { ExecutorClosedError } from "../executors/errors.js";
import type {
  CodeLanguage,
  ExecuteRequest,
  ExecuteResult,
} from "../executors/types.js";
import type { Executor } from "../executors/types.js";

/** What a {@link FakeExecutor} returns: a partial result, completed with defaults. */
export type FakeExecuteResult = Partial<ExecuteResult>;

/** How a {@link FakeExecutor} answers: one result for every call, one per call, or a function. */
export type FakeExecutorResults =
  | FakeExecuteResult
  | FakeExecuteResult[]
  | ((request: ExecuteRequest, callIndex: number) => FakeExecuteResult | Promise<FakeExecuteResult>);

export interface FakeExecutorOptions {
  results: FakeExecutorResults;
  /** @defaultValue `"javascript"` */
  language?: CodeLanguage;
  /** @defaultValue `"fake"` */
  name?: string;
  description?: string;
}

/**
 * An executor for unit tests of graph logic: it runs nothing, records every
 * request in {@link executeCalls}, and answers with scripted results.
 *
 * With an array of results, call `i` gets `results[i]`; a call past the end
 * throws, so a test never silently runs more steps than it scripted.
 */
export class FakeExecutor implements Executor {
  readonly name: string;
  readonly language: CodeLanguage;
  readonly description?: string;
  /** Every request received, in order. */
  readonly executeCalls: ExecuteRequest[] = [];
  #results: FakeExecutorResults;
  #closed = false;

  constructor(options: FakeExecutorOptions) {
    this.#results = options.results;
    this.language = options.language ?? "javascript";
    this.name = options.name ?? "fake";
    if (options.description !== undefined) this.description = options.description;
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  async execute(request: ExecuteRequest): Promise<ExecuteResult> {
    if (this.#closed) throw new ExecutorClosedError(this.name);
    const index = this.executeCalls.length;
    this.executeCalls.push(request);
    const results = this.#results;
    let partial: FakeExecuteResult;
    if (typeof results === "function") {
      partial = await results(request, index);
    } else if (Array.isArray(results)) {
      const next = results[index];
      if (next === undefined) {
        throw new Error(
          `FakeExecutor: execute() called ${index + 1} times but only ${results.length} results were scripted`
        );
      }
      partial = next;
    } else {
      partial = results;
    }
    if (partial.output !== undefined) request.onOutput?.(partial.output);
    return { output: "", outputs: [], durationMs: 0, ...partial };
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
