import type { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type {
  CodeLanguage,
  ExecuteResult,
  Executor,
  HostFunction,
} from "../executors/types.js";
import { describeSessionChange } from "../executors/session-change.js";

/** Options the suite passes when it needs an executor with particular limits. */
export interface ConformanceExecutorOptions {
  /** A short wall-clock limit for the timeout cases. */
  timeoutMs: number;
}

export interface ExecutorConformanceOptions {
  /** Shown in the `describe` title. */
  name: string;
  /** Language of the executor under test; picks the code snippets. */
  language: CodeLanguage;
  /**
   * Creates an executor. Called once for the shared instance and again for
   * the cases that need their own (timeouts, close). Must honour
   * `options.timeoutMs`.
   */
  createExecutor: (options: ConformanceExecutorOptions) => Executor | Promise<Executor>;
  /** Frees an executor made by `createExecutor`. @defaultValue `executor.close()` */
  destroyExecutor?: (executor: Executor) => Promise<void>;
  /** Case titles to skip, each with the reason written next to it by the caller. */
  skip?: string[];
  /** Timeout of setup hooks, for executors with slow start-up. @defaultValue `60_000` */
  setupTimeoutMs?: number;
}

interface Snippets {
  print: string;
  value: string;
  throwError: string;
  syncLoop: string;
  asyncLoop: string;
  longRunning: string;
  callAdd: string;
  catchToolError: string;
  concurrentCalls: string;
  define: string;
  useDefined: string;
  defineSecret: string;
  probeSecret: string;
  probeSecretAbsent: string;
  defineData: string;
  useRestored: string;
}

const SNIPPETS: Record<CodeLanguage, Snippets> = {
  javascript: {
    print: 'console.log("hello from the sandbox")',
    value: "1 + 41",
    throwError: 'throw new TypeError("boom")',
    syncLoop: "while (true) {}",
    asyncLoop: "await null;\nwhile (true) {}",
    longRunning: "await null;\nwhile (true) {}",
    callAdd: "await add({ a: 2, b: 3 })",
    catchToolError:
      'try { await fail({}) } catch (e) { console.log("caught:", e instanceof Error, e.message) }',
    concurrentCalls:
      "const results = await Promise.all([slow({ n: 1 }), slow({ n: 2 }), slow({ n: 3 })]);\nresults.join(',')",
    define: "const counter = 21",
    useDefined: "counter * 2",
    defineSecret: 'const secret = "s3cr3t"',
    probeSecret: "secret",
    probeSecretAbsent: "typeof secret",
    defineData: "const data = { items: [1, 2, 3], label: 'ok' }",
    useRestored: "data.items.length + ':' + data.label",
  },
  python: {
    print: 'print("hello from the sandbox")',
    value: "1 + 41",
    throwError: 'raise TypeError("boom")',
    syncLoop: "while True:\n    pass",
    asyncLoop: "import time\nwhile True:\n    time.sleep(0.01)",
    longRunning: "import time\nwhile True:\n    time.sleep(0.01)",
    callAdd: "add(a=2, b=3)",
    catchToolError:
      'try:\n    fail()\nexcept Exception as e:\n    print("caught:", isinstance(e, Exception), e)',
    concurrentCalls: "results = [slow(n=1), slow(n=2), slow(n=3)]\n','.join(str(r) for r in results)",
    define: "counter = 21",
    useDefined: "counter * 2",
    defineSecret: 'secret = "s3cr3t"',
    probeSecret: "secret",
    probeSecretAbsent: "'secret' in globals()",
    defineData: "data = {'items': [1, 2, 3], 'label': 'ok'}",
    useRestored: "str(len(data['items'])) + ':' + data['label']",
  },
};

interface TestGlobals {
  afterAll: typeof afterAll;
  beforeAll: typeof beforeAll;
  describe: typeof describe;
  expect: typeof expect;
  it: typeof it;
}

const CONFORMANCE_TIMEOUT_MS = 1_500;

/**
 * The behaviour every {@link Executor} must have, as a jest `describe` block.
 * Run it from a test file of each executor:
 *
 * ```ts
 * describeExecutorConformance({
 *   name: "isolated-vm",
 *   language: "javascript",
 *   createExecutor: ({ timeoutMs }) => new IsolatedVmExecutor({ timeoutMs }),
 * });
 * ```
 *
 * Covers stdout capture, the returned value, a thrown error as data, timeouts
 * (including after an `await`) as data, the tool round trip and tool errors,
 * concurrency of tool calls, abort, persistence between cells, isolation of
 * sessions, the variable snapshot and its restore, live output, and
 * idempotent `close()`.
 */
export function describeExecutorConformance(options: ExecutorConformanceOptions): void {
  // The runner's globals are looked up at call time, so importing the testing
  // entry point never loads jest itself (vitest with `globals: true` works too).
  const { afterAll, beforeAll, describe, expect, it } = globalThis as unknown as TestGlobals;
  const code = SNIPPETS[options.language];
  const skipped = new Set(options.skip ?? []);
  const setupTimeoutMs = options.setupTimeoutMs ?? 60_000;
  const destroy = options.destroyExecutor ?? ((executor: Executor) => executor.close());
  const test = (title: string, body: () => Promise<void>, timeoutMs?: number): void => {
    (skipped.has(title) ? it.skip : it)(title, body, timeoutMs);
  };
  let sessionCounter = 0;
  const newSession = (): string => `conformance-${process.pid}-${++sessionCounter}`;

  describe(`executor conformance: ${options.name}`, () => {
    let executor: Executor;
    const tools: Record<string, HostFunction> = {
      add: async (input) => {
        const { a, b } = input as { a: number; b: number };
        return a + b;
      },
      fail: async () => {
        throw new Error("bad input for fail");
      },
    };

    beforeAll(async () => {
      executor = await options.createExecutor({ timeoutMs: 60_000 });
    }, setupTimeoutMs);
    afterAll(async () => {
      if (executor) await destroy(executor);
    }, setupTimeoutMs);

    const run = (source: string, sessionId = newSession()): Promise<ExecuteResult> =>
      executor.execute({ code: source, sessionId, tools });

    test("captures printed output", async () => {
      const result = await run(code.print);
      expect(result.error).toBeUndefined();
      expect(result.output).toContain("hello from the sandbox");
      expect(result.outputs).toEqual([]);
      expect(result.durationMs).toBeGreaterThanOrEqual(0);
    });

    test("returns the last expression's value", async () => {
      const result = await run(code.value);
      expect(result.error).toBeUndefined();
      expect(result.value).toBe("42");
    });

    test("returns a thrown error as data", async () => {
      const result = await run(code.throwError);
      expect(result.error?.name).toBe("TypeError");
      expect(result.error?.message).toContain("boom");
    });

    test("streams output to onOutput", async () => {
      const chunks: string[] = [];
      const result = await executor.execute({
        code: code.print,
        sessionId: newSession(),
        onOutput: (chunk) => chunks.push(chunk),
      });
      expect(result.error).toBeUndefined();
      expect(chunks.join("")).toContain("hello from the sandbox");
    });

    test("keeps globals between cells of a session", async () => {
      const sessionId = newSession();
      expect((await run(code.define, sessionId)).error).toBeUndefined();
      const result = await run(code.useDefined, sessionId);
      expect(result.error).toBeUndefined();
      expect(result.value).toBe("42");
    });

    test("isolates sessions from each other", async () => {
      const first = newSession();
      expect((await run(code.defineSecret, first)).error).toBeUndefined();
      expect((await run(code.probeSecret, first)).value).toContain("s3cr3t");
      const other = await run(code.probeSecretAbsent);
      expect(other.error).toBeUndefined();
      expect(other.value).toMatch(/undefined|False/);
    });

    test("calls host tools and returns their results", async () => {
      const result = await run(code.callAdd);
      expect(result.error).toBeUndefined();
      expect(result.value).toBe("5");
    });

    test("raises a tool's error inside the code, with its message", async () => {
      const result = await run(code.catchToolError);
      expect(result.error).toBeUndefined();
      expect(result.output).toMatch(/caught: (true|True) .*bad input for fail/);
    });

    test("runs concurrent tool calls concurrently", async () => {
      let inFlight = 0;
      let maxInFlight = 0;
      const slow: HostFunction = async (input) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 50));
        inFlight -= 1;
        return (input as { n: number }).n * 10;
      };
      const result = await executor.execute({
        code: code.concurrentCalls,
        sessionId: newSession(),
        tools: { slow },
      });
      expect(result.error).toBeUndefined();
      expect(result.value).toContain("10,20,30");
      expect(maxInFlight).toBe(3);
    });

    test("snapshots JSON-safe variables and restores them in a new session", async () => {
      const defined = await run(code.defineData);
      expect(defined.error).toBeUndefined();
      expect(defined.variables?.["data"]).toEqual({ items: [1, 2, 3], label: "ok" });
      const restored = await executor.execute({
        code: code.useRestored,
        sessionId: newSession(),
        variables: defined.variables ?? {},
      });
      expect(restored.error).toBeUndefined();
      expect(restored.value).toContain("3:ok");
      expect(restored.sessionChange ? describeSessionChange(restored.sessionChange) : restored.sessionNotice).toMatch(/data/);
    });

    test("stops a running cell when the signal aborts, and the session goes on", async () => {
      const sessionId = newSession();
      expect((await run(code.define, sessionId)).error).toBeUndefined();
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 200);
      const result = await executor.execute({
        code: code.longRunning,
        sessionId,
        signal: controller.signal,
      });
      expect(result.error?.name).toBe("AbortError");
      expect(Date.now() - started).toBeLessThan(10_000);
      const next = await run(code.value, sessionId);
      expect(next.error).toBeUndefined();
      expect(next.value).toBe("42");
    }, 30_000);

    test("does not run a cell whose signal is already aborted", async () => {
      const controller = new AbortController();
      controller.abort();
      const result = await executor.execute({
        code: code.print,
        sessionId: newSession(),
        signal: controller.signal,
      });
      expect(result.error?.name).toBe("AbortError");
      expect(result.output).not.toContain("hello from the sandbox");
    });

    describe("limits", () => {
      let limited: Executor;
      beforeAll(async () => {
        limited = await options.createExecutor({ timeoutMs: CONFORMANCE_TIMEOUT_MS });
      }, setupTimeoutMs);
      afterAll(async () => {
        if (limited) await destroy(limited);
      }, setupTimeoutMs);

      test("returns a synchronous endless loop as a TimeoutError, and the session goes on", async () => {
        const sessionId = newSession();
        expect((await limited.execute({ code: code.define, sessionId })).error).toBeUndefined();
        const result = await limited.execute({ code: code.syncLoop, sessionId });
        expect(result.error?.name).toBe("TimeoutError");
        const next = await limited.execute({ code: code.useDefined, sessionId });
        expect(next.error).toBeUndefined();
        expect(next.value).toBe("42");
      }, 60_000);

      test("returns an endless loop after an await as a TimeoutError", async () => {
        const sessionId = newSession();
        const result = await limited.execute({ code: code.asyncLoop, sessionId });
        expect(result.error?.name).toBe("TimeoutError");
        const next = await limited.execute({ code: code.value, sessionId });
        expect(next.value).toBe("42");
      }, 60_000);
    });

    describe("close", () => {
      test("is idempotent, and execute afterwards throws EXECUTOR_CLOSED", async () => {
        const own = await options.createExecutor({ timeoutMs: CONFORMANCE_TIMEOUT_MS });
        expect((await own.execute({ code: code.value, sessionId: newSession() })).value).toBe("42");
        await own.close();
        await own.close();
        await expect(own.execute({ code: code.value, sessionId: newSession() })).rejects.toMatchObject({
          code: "EXECUTOR_CLOSED",
        });
      }, 60_000);
    });
  });
}
