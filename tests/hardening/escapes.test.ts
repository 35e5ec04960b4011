import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import type { ExecuteResult, HostFunction } from "../../src/executors/types.js";

// Sandbox escapes, in-process (the mode where an escape would reach this very
// process). Complements tests/executors/isolated-vm (globals, Function
// constructor of console/tools, prepareStackTrace via a tool, pollution).
const executor = new IsolatedVmExecutor({ isolation: "in-process", timeoutMs: 2_000 });
afterAll(() => executor.close());

const hostFunction = Function;
const hostObjectPrototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
let sessionCounter = 0;

/** What a child process started with V8's collector exposed reports from the fixture (see expose-gc.ts). */
function collectorSeen(flags: string[], nodeOptions: string, name: string): Record<string, unknown> {
  const child = spawnSync(
    process.execPath,
    [...flags, "--import", "tsx", join(__dirname, "..", "executors", "isolated-vm", "fixtures", "expose-gc.ts"), name],
    { encoding: "utf8", timeout: 60_000, env: { ...process.env, NODE_OPTIONS: `--no-node-snapshot ${nodeOptions}`.trim() } }
  );
  return JSON.parse(child.stdout) as Record<string, unknown>;
}

/** Runs `code`, then checks the host is unharmed and the session still answers. */
async function attack(code: string, tools: Record<string, HostFunction> = {}, variables = {}): Promise<ExecuteResult> {
  const sessionId = `escape-${++sessionCounter}`;
  const result = await executor.execute({ code, sessionId, tools, variables });
  expect(Function).toBe(hostFunction);
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(hostObjectPrototypeKeys);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(typeof result.output).toBe("string");
  if (result.value !== undefined) expect(typeof result.value).toBe("string");
  expect((await executor.execute({ code: "6 * 7", sessionId })).value).toBe("42");
  return result;
}

describe("hardening: sandbox escapes", () => {
  it("finds no foreign-realm object or host Function from anything reachable, tool values included", async () => {
    const result = await attack(
      `const roots = [globalThis, probe, await probe({ deep: [1] }), probe(), console, console.log, restored]
try { await broken() } catch (e) { roots.push(e) }
const seen = new Set(); const queue = [...roots]; const found = []
while (queue.length && seen.size < 20000) {
  const value = queue.shift()
  if ((typeof value !== "object" && typeof value !== "function") || value === null || seen.has(value)) continue
  seen.add(value)
  if (typeof value === "function") {
    try { const r = await value.constructor("return typeof process + typeof require")(); if (r !== "undefinedundefined") found.push(r) } catch {}
  }
  let chain = value
  while (chain) { if (chain === Object.prototype) break; chain = Object.getPrototypeOf(chain) }
  if (chain !== Object.prototype && Object.getPrototypeOf(value) !== null && !(value instanceof Object)) found.push("foreign")
  queue.push(Object.getPrototypeOf(value))
  for (const key of Reflect.ownKeys(value)) {
    try { const d = Object.getOwnPropertyDescriptor(value, key); if (d && "value" in d) queue.push(d.value) } catch {}
  }
}
[seen.size > 500, found]`,
      {
        probe: async (input) => input ?? { nested: { list: [1, 2] } },
        broken: async () => {
          throw new TypeError("host failure");
        },
      },
      { restored: { a: [{ b: 1 }] } }
    );
    expect(result.error).toBeUndefined();
    expect(result.value).toBe("[ true, [] ]");
  });

  it("has no WebAssembly (its memory bypasses the heap limit) and no dynamic import", async () => {
    const result = await attack(
      "const out = [typeof WebAssembly]\ntry { await import('node:fs') } catch (e) { out.push(e.constructor.name) }\nout"
    );
    expect(result.value).toMatch(/^\[ 'undefined', '(TypeError|Error)' \]$/);
  });

  it("has no gc() even when the host and the worker were started with --expose-gc, in either isolation mode", () => {
    // V8's flag reaches every context of the process; through NODE_OPTIONS the worker process gets it too.
    expect(collectorSeen([], "--expose-gc", "gc")).toEqual({
      host: "function",
      "in-process": { value: "'undefined'", variables: ["kept"] },
      process: { value: "'undefined'", variables: ["kept"] },
    });
  });

  it("has no collector under another name either (--expose-gc-as)", () => {
    expect(collectorSeen(["--expose-gc-as=collect"], "", "collect")).toMatchObject({
      host: "function",
      "in-process": { value: "'undefined'", variables: ["kept"] },
    });
  });

  it("eval and Function inside the sandbox see only the sandbox", async () => {
    const result = await attack(
      "[eval('typeof process'), new Function('return typeof this.process')(), (0, eval)('this') === globalThis, Function('return this')() === globalThis]"
    );
    expect(result.value).toBe("[ 'undefined', 'undefined', true, true ]");
  });

  it("Proxy and getter traps on the last value, console.log arguments and globals reach only sandbox code", async () => {
    const trap = `new Proxy({}, { get() { throw new Error('get trap') }, ownKeys() { throw new Error('ownKeys trap') }, getPrototypeOf() { throw new Error('proto trap') }, getOwnPropertyDescriptor() { throw new Error('gopd trap') } })`;
    const result = await attack(
      `const proxied = ${trap}
Object.defineProperty(globalThis, 'sneaky', { get() { throw new Error('getter on a global') }, enumerable: true, configurable: true })
console.log(proxied, { get boom() { throw new Error('x') } })
proxied`
    );
    expect(result.error).toBeUndefined();
    expect(result.value).toBe("[object could not be printed]");
    expect(result.output).toContain("[object could not be printed] { boom: [Getter] }");
    expect(result.unsavedVariables).toEqual(expect.arrayContaining(["proxied", "sneaky"]));
    expect(result.variables).toEqual({});
  });

  it("a trap that loops forever while the host reads the result is stopped by the timeout", async () => {
    const started = Date.now();
    const result = await attack("const spin = new Proxy({}, { ownKeys() { while (true) {} } })\nspin");
    expect(result.error?.name).toBe("TimeoutError");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("tool arguments with Proxies, getters, toJSON and __proto__ keys arrive as plain host JSON", async () => {
    const received: unknown[] = [];
    await attack(
      `await sink(new Proxy({ a: 1 }, { get: (t, k) => k === 'toJSON' ? undefined : 'trapped' }))
await sink({ get g() { return 'evaluated in the sandbox' }, toJSON() { return { replaced: true } } })
await sink(JSON.parse('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 1}}}'))`,
      { sink: async (input) => { received.push(input); return Object.assign({}, input as object); } }
    );
    expect(received[0]).toEqual({ a: "trapped" });
    expect(received[1]).toEqual({ replaced: true });
    const polluting = received[2] as Record<string, unknown>;
    expect(Object.getPrototypeOf(polluting)).toBe(Object.prototype);
    expect(Object.hasOwn(polluting, "__proto__")).toBe(true);
    for (const value of received) expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it("Symbol tricks (toPrimitive, toStringTag, hasInstance, species, Symbol.for) stay inside", async () => {
    const result = await attack(`
const fake = { [Symbol.toStringTag]: 'Promise', [Symbol.toPrimitive]() { throw new Error('no') } }
class Evil extends Promise { static get [Symbol.species]() { return Promise } }
Object.defineProperty(Error, Symbol.hasInstance, { value: () => true })
const shared = Symbol.for('codeact.host')
let caught
try { await fail() } catch (e) { caught = e instanceof Error && e.message }
console.log(fake, shared)
;[caught, typeof Symbol.for('nodejs.util.inspect.custom'), Evil.resolve(1) instanceof Promise]`,
      { fail: async () => { throw new Error("tool failed"); } }
    );
    expect(result.error).toBeUndefined();
    expect(result.value).toBe("[ 'tool failed', 'symbol', true ]");
    expect(result.output).toContain("Symbol(codeact.host)");
  });

  it("Error.prepareStackTrace and a throwing stack getter cannot break result reporting", async () => {
    const result = await attack(`
Error.prepareStackTrace = () => { throw new Error('in prepare') }
const e = new Error('outer'); Object.defineProperty(e, 'stack', { get() { throw new Error('stack getter') } })
Object.defineProperty(e, 'name', { get() { return { toString() { throw 1 } } } })
throw e`);
    // the user's own prepareStackTrace may throw first: either way a string error, no crash
    expect(["outer", "in prepare"]).toContain(result.error?.message);
    expect(typeof result.error?.name).toBe("string");
  });

  it("SharedArrayBuffer crosses to a tool only as JSON, and Atomics.wait forever ends at the timeout", async () => {
    let received: unknown;
    const shared = await attack("const sab = new SharedArrayBuffer(8); await sink({ sab, view: new Int32Array(sab) })", {
      sink: async (input) => {
        received = input;
      },
    });
    expect(shared.error).toBeUndefined();
    expect(received).toEqual({ sab: {}, view: { "0": 0, "1": 0 } });
    const started = Date.now();
    const waited = await attack("Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)");
    expect(waited.error?.name).toBe("TimeoutError");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("shows a thenable last value instead of awaiting it; a never-settling await ends at the timeout", async () => {
    const thenable = await attack("({ then() { while (true) {} } })");
    expect(thenable.error).toBeUndefined();
    expect(thenable.value).toBe("{ then: [Function: then] }");
    const started = Date.now();
    const never = await attack("await new Promise(() => {})");
    expect(never.error?.name).toBe("TimeoutError");
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
