import { ExecutorClosedError } from "../../../src/executors/errors.js";
import {
  IsolatedVmExecutor,
  createIsolatedVmExecutor,
  type IsolatedVmExecutorOptions,
} from "../../../src/executors/isolated-vm/index.js";
import type { ExecuteRequest, ExecuteResult, HostFunction } from "../../../src/executors/types.js";
import { sessionNoticeText } from "../../../src/executors/session-change.js";

const executors: IsolatedVmExecutor[] = [];
function newExecutor(options: IsolatedVmExecutorOptions = {}): IsolatedVmExecutor {
  // in-process: this file covers the executor itself; process-isolation.test.ts covers the worker
  const executor = createIsolatedVmExecutor({ isolation: "in-process", ...options });
  executors.push(executor);
  return executor;
}
afterAll(async () => {
  await Promise.all(executors.map((executor) => executor.close()));
});

let sessionCounter = 0;
const newSessionId = (): string => `ivm-test-${++sessionCounter}`;

/** Runs cells in one session; each returns its result. */
function session(executor: IsolatedVmExecutor, extra: Partial<ExecuteRequest> = {}) {
  const sessionId = newSessionId();
  return (code: string, more: Partial<ExecuteRequest> = {}): Promise<ExecuteResult> =>
    executor.execute({ code, sessionId, ...extra, ...more });
}

describe("IsolatedVmExecutor: REPL semantics", () => {
  const executor = newExecutor();

  it("has the contract's identity", () => {
    expect(executor.name).toBe("isolated-vm");
    expect(executor.language).toBe("javascript");
    expect(executor.description).toMatch(/no require/);
    expect(executor.description).toMatch(/30 seconds/);
  });

  it("persists const/let/var/function/class between cells and allows redeclaring", async () => {
    const run = session(executor);
    const first = await run(
      "const a = 1\nlet b = 2\nvar c = 3\nfunction f(x: number): number { return x * 10 }\nclass Point { constructor(public x = 0) {} }\n"
    );
    expect(first.error).toBeUndefined();
    expect(first.value).toBeUndefined();
    const second = await run("const a = 100;\n[a, b, c, f(b), new Point(7).x]");
    expect(second.error).toBeUndefined();
    expect(second.value).toBe("[ 100, 2, 3, 20, 7 ]");
  });

  it("supports top-level await, destructuring and hoisted functions", async () => {
    const run = session(executor);
    const result = await run(
      "const { p, q: [r] } = await Promise.resolve({ p: 1, q: [2] })\nfunction g() { return p + r }\ng()"
    );
    expect(result.error).toBeUndefined();
    expect(result.value).toBe("3");
    expect((await run("p + r")).value).toBe("3");
  });

  it("accepts TypeScript: types, interfaces, generics, enums, assertions", async () => {
    const run = session(executor);
    const result = await run(`interface Item { id: number; tags?: string[] }
type Id = Item["id"];
enum Color { Red, Green }
function first<T>(items: T[]): T | undefined { return items[0]; }
const items: Item[] = [{ id: 7 }];
const id = first<Item>(items)!.id as Id;
[id, Color.Green, (items as unknown as Item[]).length]`);
    expect(result.error).toBeUndefined();
    expect(result.value).toBe("[ 7, 1, 1 ]");
    expect((await run("Color[0]")).value).toBe("'Red'");
  });

  it("returns strings quoted, omits undefined, and shows a lone string", async () => {
    const run = session(executor);
    expect((await run("'it\\'s'")).value).toBe(`"it's"`);
    expect((await run("undefined")).value).toBeUndefined();
    expect((await run("let z")).value).toBeUndefined();
  });

  it("returns tracebacks pointing into the cell, without wrapper frames", async () => {
    const run = session(executor);
    await run("1");
    const result = await run("function inner() {\n  throw new RangeError('deep')\n}\ninner()");
    expect(result.error?.name).toBe("RangeError");
    expect(result.error?.message).toBe("deep");
    const traceback = result.error?.traceback ?? "";
    expect(traceback).toContain("RangeError: deep");
    expect(traceback).toMatch(/at inner \(cell-2\.ts:2:9\)/);
    expect(traceback).toMatch(/at cell-2\.ts:4:1$/);
    expect(traceback.split("\n")).toHaveLength(3);
    expect(traceback).not.toMatch(/codeact-runtime|<anonymous>|isolated-vm/);
  });

  it("fixes columns on the first line, which the wrapper shares", async () => {
    const run = session(executor);
    const result = await run("const v = null.boom; 1");
    expect(result.error?.traceback).toMatch(/cell-1\.ts:1:16/);
    const single = await run("null.boom");
    expect(single.error?.traceback).toMatch(/cell-2\.ts:1:6$/);
  });

  it("returns syntax errors with position and line, and the session goes on", async () => {
    const run = session(executor);
    await run("const kept = 5");
    const result = await run("const ok = 1\nconst broken = ;");
    expect(result.error?.name).toBe("SyntaxError");
    expect(result.error?.message).toMatch(/cell-2\.ts:2:16/);
    expect(result.error?.message).toContain("const broken = ;");
    expect((await run("kept")).value).toBe("5");
  });

  it("reports non-Error throws", async () => {
    const result = await session(executor)("throw 'plain'");
    expect(result.error).toEqual({ name: "Error", message: "Uncaught 'plain'" });
  });
});

describe("IsolatedVmExecutor: console and formatting", () => {
  const executor = newExecutor();
  const run = (code: string) => executor.execute({ code, sessionId: newSessionId() });

  it("interleaves stdout and stderr in order and streams each chunk live", async () => {
    const chunks: string[] = [];
    const result = await executor.execute({
      code: "console.log('one'); console.error('two'); console.info('three'); console.warn('four'); console.debug('five')",
      sessionId: newSessionId(),
      onOutput: (chunk) => chunks.push(chunk),
    });
    expect(result.output).toBe("one\ntwo\nthree\nfour\nfive\n");
    expect(chunks).toEqual(["one\n", "two\n", "three\n", "four\n", "five\n"]);
  });

  it("formats nested values like Node's inspect", async () => {
    const result = await run(`
      class Box { constructor() { this.inner = { n: 1 } } }
      const cyclic = { name: 'c' }; cyclic.self = cyclic;
      console.log('text', 42, -0, 10n, null, undefined, Symbol('s'), [1, 'two', [3]]);
      console.log(new Map([['k', { v: true }]]), new Set([1, 2]));
      console.log(new Date(0), /re/g, new Box(), cyclic);
      console.log({ a: { b: { c: { d: { e: { f: 1 } } } } } });
      console.log(function named() {}, class Klass {}, async () => {}, Object.create(null));
      console.log('%s is %d years', 'Ann', 42.5, 'extra');
    `);
    expect(result.error).toBeUndefined();
    const lines = result.output.split("\n");
    expect(lines[0]).toBe("text 42 -0 10n null undefined Symbol(s) [ 1, 'two', [ 3 ] ]");
    expect(lines[1]).toBe("Map(1) { 'k' => { v: true } } Set(2) { 1, 2 }");
    expect(lines[2]).toBe("1970-01-01T00:00:00.000Z /re/g Box { inner: { n: 1 } } { name: 'c', self: [Circular] }");
    expect(lines[3]).toBe("{ a: { b: { c: { d: { e: [Object] } } } } }");
    expect(lines[4]).toBe("[Function: named] [class Klass] [AsyncFunction (anonymous)] [Object: null prototype] {}");
    expect(lines[5]).toBe("Ann is 42.5 years extra");
  });

  it("prints errors with name, message and stack", async () => {
    const result = await run("const e = new TypeError('bad thing')\nconsole.error(e)\nconsole.log({ wrapped: e })");
    expect(result.output).toMatch(/^TypeError: bad thing\n {4}at cell-1\.ts:1:\d+\n/);
    expect(result.output).toContain("{ wrapped: [TypeError: bad thing] }");
  });

  it("breaks long values over lines and abbreviates long arrays", async () => {
    const result = await run("console.log(Array.from({ length: 150 }, (_, i) => i * 1000))");
    expect(result.output).toContain("\n  0,\n  1000,");
    expect(result.output).toContain("... 50 more items");
  });

  it("truncates output keeping head and tail, and caps live streaming", async () => {
    const small = newExecutor({ maxOutputChars: 100 });
    const chunks: string[] = [];
    const result = await small.execute({
      code: "for (let i = 0; i < 1000; i++) console.log('line ' + i)",
      sessionId: newSessionId(),
      onOutput: (chunk) => chunks.push(chunk),
    });
    expect(result.truncated).toBe(true);
    expect(result.output.startsWith("line 0\nline 1\n")).toBe(true);
    expect(result.output.endsWith("line 998\nline 999\n")).toBe(true);
    const total = Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join("").length;
    expect(result.output.length).toBeLessThanOrEqual(100);
    const cut = Number(/\.\.\. \[(\d+) characters truncated\] \.\.\./.exec(result.output)?.[1]);
    expect(result.output.length - `\n... [${cut} characters truncated] ...\n`.length + cut).toBe(total);
    expect(chunks.join("").length).toBeLessThan(200);
  });
});

describe("IsolatedVmExecutor: host tools", () => {
  const executor = newExecutor();

  it("calls the host function with exactly the arguments passed", async () => {
    const calls: unknown[][] = [];
    const record: HostFunction = async (...args) => {
      calls.push(args);
      return { ok: true };
    };
    const result = await executor.execute({
      code: "await record(); await record({ a: 1 }, 'two', [3]); await record({ skip: undefined })",
      sessionId: newSessionId(),
      tools: { record },
    });
    expect(result.error).toBeUndefined();
    expect(result.value).toBe("{ ok: true }");
    expect(calls).toEqual([[], [{ a: 1 }, "two", [3]], [{}]]);
  });

  it("rethrows host errors in the guest as Error with name and message", async () => {
    class QuotaError extends Error {
      override name = "QuotaError";
    }
    const result = await executor.execute({
      code: "let caught\ntry { await limited() } catch (e) { caught = [e instanceof Error, e.name, e.message] }\ncaught",
      sessionId: newSessionId(),
      tools: { limited: async () => { throw new QuotaError("quota exceeded"); } },
    });
    expect(result.value).toBe("[ true, 'QuotaError', 'quota exceeded' ]");
  });

  it("turns non-JSON results into clear errors and undefined into undefined", async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const result = await executor.execute({
      code: `const out = []
for (const t of [big, loop, nothing]) { try { out.push(String(await t())) } catch (e) { out.push(e.name + ': ' + e.message) } }
out`,
      sessionId: newSessionId(),
      tools: { big: async () => 10n, loop: async () => cyclic, nothing: async () => undefined },
    });
    expect(result.error).toBeUndefined();
    expect(result.value).toMatch(/TypeError: The tool big returned a value that is not JSON/);
    expect(result.value).toMatch(/TypeError: The tool loop returned a value that is not JSON/);
    expect(result.value).toMatch(/'undefined'\s*\]$/);
  });

  it("rejects non-JSON arguments in the guest before calling the host", async () => {
    let called = false;
    const result = await executor.execute({
      code: "await tool({ n: 1n })",
      sessionId: newSessionId(),
      tools: { tool: async () => { called = true; } },
    });
    expect(result.error?.name).toBe("TypeError");
    expect(result.error?.message).toMatch(/arguments of tool\(\) must be JSON/);
    expect(called).toBe(false);
  });

  it("runs Promise.all over tool calls concurrently on the host", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const wait: HostFunction = async () => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 100));
      inFlight -= 1;
      return 1;
    };
    const started = Date.now();
    const result = await executor.execute({
      code: "(await Promise.all(Array.from({ length: 10 }, () => wait()))).length",
      sessionId: newSessionId(),
      tools: { wait },
    });
    expect(result.value).toBe("10");
    expect(maxInFlight).toBe(10);
    expect(Date.now() - started).toBeLessThan(600);
  });

  it("updates the tool globals when the tool set changes, and they are not user variables", async () => {
    const run = session(executor);
    const first = await run("typeof one + typeof two", { tools: { one: async () => 1 } });
    expect(first.value).toBe("'functionundefined'");
    const second = await run("typeof one + typeof two", { tools: { two: async () => 2 } });
    expect(second.value).toBe("'undefinedfunction'");
    expect(second.unsavedVariables).toEqual([]);
    expect(second.variables).toEqual({});
  });
});

describe("IsolatedVmExecutor: nothing from the host leaks in", () => {
  const executor = newExecutor();
  const hostFunction = Function;

  async function expectContained(code: string, tools: Record<string, HostFunction> = {}): Promise<ExecuteResult> {
    const run = session(executor, { tools });
    const result = await run(code);
    // the host is unharmed and the session still works
    expect(typeof process.pid).toBe("number");
    expect(Function).toBe(hostFunction);
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    expect((await run("1 + 1")).value).toBe("2");
    return result;
  }

  it("has no require, process, fetch, timers, module or ivm globals", async () => {
    const result = await expectContained(
      "['require','process','fetch','setTimeout','module','exports','Buffer','ivm','_ivm','__dirname'].map(n => typeof globalThis[n])"
    );
    expect(result.value?.match(/'undefined'/g)).toHaveLength(10);
    expect(result.value).not.toMatch(/'(object|function)'/);
  });

  it("finds no process through the Function constructor of globals", async () => {
    const result = await expectContained(
      "const F = console.log.constructor.constructor; const p = F('return typeof process')(); [p, typeof globalThis.constructor.constructor('return this')().process]"
    );
    expect(result.value).toBe("[ 'undefined', 'undefined' ]");
  });

  it("finds no process through tool results, tool errors or tool functions", async () => {
    const result = await expectContained(
      `const r = await tool({})
let viaError
try { await broken() } catch (e) { viaError = e.constructor.constructor('return typeof process')() }
[r.constructor.constructor('return typeof process')(), viaError, await tool.constructor('return typeof process')(), Object.keys(tool)]`,
      { tool: async () => ({ nested: {} }), broken: async () => { throw new Error("x"); } }
    );
    expect(result.value).toBe("[ 'undefined', 'undefined', 'undefined', [] ]");
  });

  it("gives host tools only plain host-made copies of the arguments", async () => {
    let received: unknown;
    await expectContained("await tool({ toString() { return 'x' } , v: 1 }, [1])", {
      tool: async (...args) => {
        received = args;
      },
    });
    expect(received).toEqual([{ v: 1 }, [1]]);
    expect(Object.getPrototypeOf((received as object[])[0])).toBe(Object.prototype);
  });

  it("gains nothing from Error.prepareStackTrace tricks", async () => {
    const result = await expectContained(`
Error.prepareStackTrace = (error, frames) => frames.map(f => {
  const fn = f.getFunction && f.getFunction(); const self = f.getThis && f.getThis();
  return [typeof fn, self && self.constructor && self.constructor.constructor('return typeof process')()].join('/')
});
let stack
try { await failing() } catch (e) { stack = e.stack }
try { null.x } catch (e) { stack = String(stack) + '|' + String(e.stack) }
delete Error.prepareStackTrace
stack.includes('object') ? 'host reached' : 'contained'`, { failing: async () => { throw new Error("x"); } });
    expect(result.value).toBe("'contained'");
  });

  it("keeps guest prototype pollution inside the guest", async () => {
    const seen: unknown[] = [];
    const result = await expectContained(
      "Object.prototype.polluted = 1; Array.prototype.push = () => 0; JSON.parse = () => 'hijacked'; globalThis.JSON = null;\nconst r = await echo({ v: 2 }); console.log('still works', r); r",
      {
        echo: async (input) => {
          seen.push((input as Record<string, unknown>).polluted, ({} as Record<string, unknown>).polluted);
          return input;
        },
      }
    );
    expect(result.error).toBeUndefined();
    expect(result.output).toContain("still works");
    expect(seen).toEqual([undefined, undefined]);
  });
});

describe("IsolatedVmExecutor: limits and recovery", () => {
  it("stops a memory hog with MemoryLimitError and restores the snapshot", async () => {
    const executor = newExecutor({ memoryLimitMb: 32 });
    const run = session(executor);
    await run("const keep = { list: [1, 2] }\nconst lost = (() => () => 1)()");
    const result = await run("await null\nconst hog = []\nwhile (true) hog.push(new Array(100000).fill(Math.random()))");
    expect(result.error?.name).toBe("MemoryLimitError");
    expect(result.sessionChange).toEqual({
      cause: "the sandbox was restarted after running out of memory",
      restored: ["keep"],
      lost: ["lost"],
      notes: [expect.stringMatching(/^Top-level functions and classes and plain data travel/)],
    });
    expect(result.variables).toEqual({ keep: { list: [1, 2] } });
    const next = await run("[keep.list.length, typeof lost]");
    expect(next.value).toBe("[ 2, 'undefined' ]");
  });

  it("stops code after an await with TimeoutError, keeping earlier output", async () => {
    const executor = newExecutor({ timeoutMs: 300 });
    const run = session(executor);
    const started = Date.now();
    const result = await run("console.log('before'); await wait(); while (true) {}", {
      tools: { wait: async () => 1 },
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result.error?.name).toBe("TimeoutError");
    expect(result.output).toBe("before\n");
    expect((await run("6 * 7")).value).toBe("42");
  });

  it("aborts a cell waiting on a tool promptly", async () => {
    const executor = newExecutor();
    const controller = new AbortController();
    const run = session(executor);
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const result = await run("await forever()", {
      signal: controller.signal,
      tools: { forever: () => new Promise(() => {}) },
    });
    expect(result.error?.name).toBe("AbortError");
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await run("'alive'")).value).toBe("'alive'");
  });

  it("evicts idle sessions after idleTimeoutMs", async () => {
    const executor = newExecutor({ idleTimeoutMs: 100 });
    const run = session(executor);
    await run("const v = 1");
    expect(executor.sessionCount).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(executor.sessionCount).toBe(0);
    expect((await run("typeof v")).value).toBe("'undefined'");
  });

  it("keeps at most maxSessions isolates, evicting the least recently used", async () => {
    const executor = newExecutor({ maxSessions: 2 });
    const a = session(executor);
    const b = session(executor);
    const c = session(executor);
    await a("const n = 'a'");
    await b("const n = 'b'");
    await a("n");
    await c("const n = 'c'");
    expect(executor.sessionCount).toBe(2);
    expect((await a("n")).value).toBe("'a'");
    expect((await b("typeof n")).value).toBe("'undefined'");
  });
});

describe("IsolatedVmExecutor: snapshots", () => {
  const executor = newExecutor({ maxVariableChars: 1_000 });

  it("saves JSON data and names what cannot be saved", async () => {
    const result = await session(executor)(`
const data = { list: [1, 'two', null, true, { deep: [1.5] }] }
const text = 'hello'
const fn = () => 1
class Thing {}
const thing = new Thing()
const map = new Map()
const big = 'x'.repeat(5000)
const notFinite = [Infinity]
const when = new Date(0)
let unset`);
    expect(result.variables).toEqual({ data: { list: [1, "two", null, true, { deep: [1.5] }] }, text: "hello", thing: {} });
    // fn and Thing travel as code (definitions), thing as an instance of Thing
    expect(result.definitions).toEqual({
      code: [{ name: "fn", source: "() => 1" }, { name: "Thing", source: "class Thing {}" }],
      instances: { thing: [{ path: [], className: "Thing" }] },
    });
    expect(result.unsavedVariables?.sort()).toEqual(["big", "map", "notFinite", "when"]);
  });

  it("restores request.variables only into a new session, with a notice", async () => {
    const run = session(executor);
    const first = await run("a + b.c", { variables: { a: 1, b: { c: 2 } } });
    expect(first.value).toBe("3");
    expect(first.sessionChange).toEqual({ restored: ["a", "b"], lost: [] });
    expect(sessionNoticeText(first)).toBe("New session: restored variables a, b from the saved snapshot.");
    const second = await run("a", { variables: { a: 100 } });
    expect(second.value).toBe("1");
    expect(second.sessionChange).toBeUndefined();
  });
});

describe("IsolatedVmExecutor: concurrency and lifecycle", () => {
  it("runs sessions in parallel and serialises cells of one session", async () => {
    const executor = newExecutor();
    const order: string[] = [];
    const step: HostFunction = async (label) => {
      order.push(`start ${String(label)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      order.push(`end ${String(label)}`);
    };
    const sessionId = newSessionId();
    const started = Date.now();
    await Promise.all([
      executor.execute({ code: "await step('s1')", sessionId, tools: { step } }),
      executor.execute({ code: "await step('s2')", sessionId, tools: { step } }),
      executor.execute({ code: "await step('other')", sessionId: newSessionId(), tools: { step } }),
    ]);
    expect(order.indexOf("end s1")).toBeLessThan(order.indexOf("start s2"));
    expect(order.indexOf("start other")).toBeLessThan(order.indexOf("end s1"));
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("close() is idempotent, disposes isolates, and execute afterwards throws", async () => {
    const executor = new IsolatedVmExecutor({ isolation: "in-process" });
    await executor.execute({ code: "1", sessionId: newSessionId() });
    expect(executor.sessionCount).toBe(1);
    await executor.close();
    await executor.close();
    expect(executor.sessionCount).toBe(0);
    await expect(executor.execute({ code: "1", sessionId: "x" })).rejects.toBeInstanceOf(ExecutorClosedError);
  });

  it("validates its options", () => {
    expect(() => new IsolatedVmExecutor({ timeoutMs: 0 })).toThrow(/timeoutMs/);
  });
});

describe("IsolatedVmExecutor: close while running", () => {
  it("rejects in-flight and queued cells with ExecutorClosedError", async () => {
    const executor = new IsolatedVmExecutor({ isolation: "in-process" });
    const sessionId = newSessionId();
    const tools = { hang: () => new Promise(() => {}) };
    const running = executor.execute({ code: "await hang()", sessionId, tools });
    const queued = executor.execute({ code: "1", sessionId, tools });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await executor.close();
    await expect(running).rejects.toBeInstanceOf(ExecutorClosedError);
    await expect(queued).rejects.toBeInstanceOf(ExecutorClosedError);
  });
});

describe("IsolatedVmExecutor: a snapshot that cannot be restored", () => {
  it("returns an error, starts empty, and the next cell works", async () => {
    const executor = newExecutor({ memoryLimitMb: 16 });
    const run = session(executor);
    const huge = Array.from({ length: 40 }, () => "x".repeat(1_000_000));
    const result = await run("1", { variables: { huge } });
    expect(result.error?.name).toMatch(/MemoryLimitError|SessionCrashedError/);
    expect(sessionNoticeText(result)).toMatch(/could not be restored/);
    expect(result.sessionChange?.lost).toEqual(["huge"]);
    expect(result.variables).toEqual({});
    expect((await run("typeof huge")).value).toBe("'undefined'");
  });
});

describe("IsolatedVmExecutor: large values", () => {
  it("bounds the printed form of a huge nested value", async () => {
    const executor = newExecutor({ maxOutputChars: 5_000 });
    const started = Date.now();
    const result = await session(executor)(
      "const row = Array.from({ length: 100 }, (_, i) => ({ i }));\nconst grid = Array.from({ length: 100 }, () => Array.from({ length: 100 }, () => row));\ngrid"
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.error).toBeUndefined();
    expect(result.truncated).toBe(true);
    expect(result.value?.length).toBeLessThan(5_100);
    expect(result.value).toContain("characters truncated");
  });
});
