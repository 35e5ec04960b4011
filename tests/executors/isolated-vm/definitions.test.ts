/**
 * Functions, classes and their instances travel to a new session (another
 * executor, as another worker or process would hold): exactly, boundedly,
 * and with every loss named. Both isolation modes.
 */
import { IsolatedVmExecutor } from "../../../src/executors/isolated-vm/index.js";
import type { ExecuteResult } from "../../../src/executors/types.js";

jest.setTimeout(60_000);

describe.each(["in-process", "process"] as const)("definitions that travel (%s isolation)", (isolation) => {
  let a: IsolatedVmExecutor;
  let b: IsolatedVmExecutor;
  beforeAll(() => {
    a = new IsolatedVmExecutor({ isolation, timeoutMs: 3_000 });
    b = new IsolatedVmExecutor({ isolation, timeoutMs: 3_000 });
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  /** Runs `code` on `executor` as the next step of a thread whose last step ended with `previous`. */
  function step(executor: IsolatedVmExecutor, sessionId: string, code: string, previous?: ExecuteResult): Promise<ExecuteResult> {
    return executor.execute({
      code,
      sessionId,
      ...(previous?.variables && { variables: previous.variables }),
      ...(previous?.definitions && { definitions: previous.definitions }),
    });
  }

  it("brings back functions, arrows, classes, subclasses and their instances, wherever they sit", async () => {
    const sessionId = `all-${isolation}`;
    const first = await step(
      a,
      sessionId,
      [
        "function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2) }",
        "const square = (x) => x * x, label = 'sq';",
        "async function later(x) { return x + 1 }",
        "class Account { constructor(owner, balance) { this.owner = owner; this.balance = balance }",
        "  deposit(n) { this.balance += n; return this } get rich() { return this.balance > 100 } static open(o) { return new Account(o, 0) } }",
        "class Savings extends Account { interest() { return this.balance / 10 } }",
        "const mine = new Savings('ann', 50);",
        "const book = { all: [new Account('bob', 1), new Savings('cy', 200)] };",
      ].join("\n"),
    );
    expect(first.error).toBeUndefined();
    expect(first.definitions?.code.map((definition) => definition.name)).toEqual(["fib", "square", "later", "Account", "Savings"]);
    expect(first.unsavedVariables).toEqual([]);
    const second = await step(
      b,
      sessionId,
      "[fib(10), square(3), label, await later(1), mine.deposit(50).interest(), mine instanceof Savings, mine.rich, " +
        "book.all[1].rich, book.all[0] instanceof Account, Account.open('z').owner]",
      first
    );
    expect(second.error).toBeUndefined();
    expect(second.value).toBe("[ 55, 9, 'sq', 2, 10, true, false, true, true, 'z' ]");
    expect(second.sessionChange?.lost).toEqual([]);
    expect(second.sessionChange?.restored).toEqual(expect.arrayContaining(["fib", "square", "later", "Account", "Savings", "mine", "book"]));
  });

  it("keeps the latest definition, and never brings back a deleted or overwritten one", async () => {
    const sessionId = `latest-${isolation}`;
    const first = await step(a, sessionId, "function f() { return 1 }\nfunction g() { return 'g' }\nconst h = () => 'h'");
    const second = await step(a, sessionId, "function f() { return 2 }\ndelete globalThis.g;\nh = 42");
    expect(second.definitions?.code.map((definition) => definition.name)).toEqual(["f"]);
    const third = await step(b, sessionId, "[f(), typeof g, h]", second);
    expect(third.value).toBe("[ 2, 'undefined', 42 ]");
    expect(first.definitions?.code).toHaveLength(3);
  });

  it("replays a subclass defined before its base class was redefined, in an order that works", async () => {
    const sessionId = `order-${isolation}`;
    await step(a, sessionId, "class Base { hello() { return 'old' } }\nclass Child extends Base {}");
    const second = await step(a, sessionId, "var Base = class Base { hello() { return 'new' } }; 1");
    expect(second.definitions?.code.map((definition) => definition.name)).toEqual(["Child", "Base"]);
    const third = await step(b, sessionId, "new Child().hello()", second);
    expect(third.error).toBeUndefined();
    expect(third.value).toBe("'new'");
  });

  it("names what cannot travel: closures, generators, functions with added properties, patched prototypes, private fields", async () => {
    const sessionId = `limits-${isolation}`;
    const first = await step(
      a,
      sessionId,
      [
        "const next = (() => { let c = 0; return () => ++c })();",
        "function* gen() { yield 1 }",
        "const running = gen();",
        "function tagged() {}\ntagged.extra = 1;",
        "function Old(x) { this.x = x }\nOld.prototype.get = function () { return this.x };",
        "const old = new Old(1);",
        "class Secret { #pin = 1; check(p) { return p === this.#pin } }",
        "const secret = new Secret();",
        "class Plain { constructor() { this.v = 1 } }",
        "Plain.prototype.extra = function () { return 2 };",
        "const plain = new Plain();",
      ].join("\n")
    );
    expect(first.error).toBeUndefined();
    expect(first.definitions?.code.map((definition) => definition.name)).toEqual(["gen", "Secret"]);
    expect([...(first.unsavedVariables ?? [])].sort()).toEqual(["Old", "Plain", "next", "old", "plain", "running", "secret", "tagged"]);
    // after a restart of the same executor, the unsaved ones are named with what can travel
    const restarted = await a.execute({ code: "while (true) {}", sessionId });
    expect(restarted.error?.name).toBe("TimeoutError");
    const after = await a.execute({ code: "[typeof gen, typeof Secret, typeof next]", sessionId });
    expect(after.value).toBe("[ 'function', 'function', 'undefined' ]");
    expect(restarted.sessionChange?.lost).toEqual(expect.arrayContaining(["next", "running", "tagged", "old", "secret", "plain"]));
    expect(restarted.sessionChange?.notes?.join(" ")).toMatch(/closures over a finished cell's local state, generators, promises/);
  });

  it("keeps after a restart what the model's prompt says it keeps, and loses what it says it loses", async () => {
    const sessionId = `promise-${isolation}`;
    const first = await a.execute({
      sessionId,
      code: "function double(x) { return x * 2 }\nclass Box { constructor(v) { this.v = v } get() { return this.v } }\nconst box = new Box(5)\nconst data = { n: 1 }\nconst seen = new Map([[1, 2]])",
    });
    expect(first.error).toBeUndefined();
    const restarted = await a.execute({ code: "while (true) {}", sessionId });
    expect(restarted.error?.name).toBe("TimeoutError");
    const after = await a.execute({ sessionId, code: "[double(21), box.get(), data.n, typeof seen]" });
    expect(after.value).toBe("[ 42, 5, 1, 'undefined' ]");
    expect(restarted.sessionChange?.lost).toEqual(["seen"]);
    // The prompt's promise, sentence by sentence.
    expect(a.description).toMatch(/variables holding JSON data, top-level function and class declarations and instances of those classes are restored/);
    expect(a.description).toMatch(/other values \(Maps, Sets, closures\) are lost, and you are told which names to define again/);
  });

  it("restores what it can when a definition fails to replay, and says why", async () => {
    const sessionId = `fails-${isolation}`;
    const first = await step(
      a,
      sessionId,
      "var mode = 'ok';\nclass Fragile { static { if (globalThis.mode === 'broken') throw new Error('cannot start') } }\nfunction fine() { return 'fine' }"
    );
    const broken = { ...first, variables: { ...first.variables, mode: "broken" } };
    const second = await step(b, sessionId, "[typeof Fragile, fine(), mode]", broken);
    expect(second.value).toBe("[ 'undefined', 'fine', 'broken' ]");
    expect(second.sessionChange?.lost).toEqual(["Fragile"]);
    expect(second.sessionChange?.notes?.join(" ")).toContain("Fragile: Error: cannot start");
  });

  it("falls back to the data alone when replaying spins, within the time limit", async () => {
    const sessionId = `spins-${isolation}`;
    const first = await step(
      a,
      sessionId,
      "var mode = 'ok';\nclass Spinner { static { while (globalThis.mode === 'spin') {} } }\nfunction fine() { return 1 }"
    );
    const spinning = { ...first, variables: { ...first.variables, mode: "spin" } };
    const started = Date.now();
    const second = await step(b, sessionId, "[typeof Spinner, typeof fine, mode]", spinning);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(second.value).toBe("[ 'undefined', 'undefined', 'spin' ]");
    expect(second.sessionChange?.lost).toEqual(expect.arrayContaining(["Spinner", "fine"]));
    expect(second.sessionChange?.notes?.join(" ")).toMatch(/Replaying the saved functions and classes timed out/);
    expect((await b.execute({ code: "1 + 1", sessionId })).value).toBe("2");
  });

  it("rejects junk definitions from state without running more than one expression", async () => {
    const sessionId = `junk-${isolation}`;
    const result = await b.execute({
      code: "[typeof f, typeof g, globalThis.hacked]",
      sessionId,
      variables: { kept: 1 },
      definitions: {
        code: [
          { name: "f", source: "1), (globalThis.hacked = true" },
          { name: "g", source: "function g() { return 1 }" },
          { name: "__proto__", source: "function x() {}" },
          { name: 42 as unknown as string, source: "function y() {}" },
        ],
        instances: { kept: [{ path: ["nope"], className: "g" }] },
      },
    });
    expect(result.value).toBe("[ 'undefined', 'function', undefined ]");
    expect(result.sessionChange?.lost).toEqual(expect.arrayContaining(["f", "kept"]));
  });

  it("keeps definitions small: a function over the variable cap is not kept", async () => {
    const executor = new IsolatedVmExecutor({ isolation: "in-process", maxVariableChars: 200 });
    try {
      const result = await executor.execute({
        code: `function small() { return 1 }\nfunction big() { return "${"x".repeat(300)}" }`,
        sessionId: "cap",
      });
      expect(result.definitions?.code.map((definition) => definition.name)).toEqual(["small"]);
      expect(result.unsavedVariables).toEqual(["big"]);
    } finally {
      await executor.close();
    }
  });
});
