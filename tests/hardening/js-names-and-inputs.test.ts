/**
 * Names and inputs that could break the host's plain-object bookkeeping or
 * its JSON plumbing, in both isolation modes: tools named like
 * Object.prototype members, restored variables with such names, variables
 * nested deeper than JSON.stringify can go, and junk approval values.
 */
import { tool } from "@langchain/core/tools";
import { Command, MemorySaver } from "@langchain/langgraph";
import { z } from "zod";
import { createCodeActAgent } from "../../src/index.js";
import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import { toolIdentifiers } from "../../src/tools/identifiers.js";
import { ScriptedChatModel, textOf } from "../graph/helpers.js";

jest.setTimeout(60_000);

const OBJECT_MEMBERS = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "__defineGetter__", "prototype"];

function deeplyNested(depth: number): unknown {
  let value: unknown = 1;
  for (let index = 0; index < depth; index += 1) value = { next: value };
  return value;
}

describe.each(["in-process", "process"] as const)("names and inputs (%s isolation)", (isolation) => {
  let executor: IsolatedVmExecutor;
  beforeAll(() => {
    executor = new IsolatedVmExecutor({ isolation, timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await executor.close();
  });

  it("renames tools called like Object.prototype members, and every one of them works", async () => {
    const tools = OBJECT_MEMBERS.map((name) =>
      tool(async () => `called ${name}`, { name, description: `The ${name} tool.`, schema: z.object({}) })
    );
    const identifiers = toolIdentifiers(tools, "javascript");
    expect(identifiers.every((identifier, index) => identifier !== OBJECT_MEMBERS[index])).toBe(true);
    const code = `const results = []; ${identifiers.map((id) => `results.push(await ${id}({}));`).join(" ")} results.join("|")`;
    const agent = createCodeActAgent({
      model: new ScriptedChatModel([`\`\`\`javascript\n${code}\n\`\`\``, "done"]),
      tools,
      executor,
    });
    const state = await agent.invoke({ messages: [{ role: "user", content: "call them all" }] });
    expect(textOf(state.messages[2])).toContain(OBJECT_MEMBERS.map((name) => `called ${name}`).join("|"));
  });

  it("never restores a variable named __proto__, and says it was not restored", async () => {
    const result = await executor.execute({
      code: "typeof kept",
      sessionId: `proto-${isolation}`,
      variables: { kept: 1, ["__proto__"]: { polluted: true } as never },
    });
    expect(result.value).toBe("'number'");
    const check = await executor.execute({ code: "({}).polluted === undefined && Object.getPrototypeOf(globalThis) !== null", sessionId: `proto-${isolation}` });
    expect(check.value).toBe("true");
  });

  it("reports a variable nested too deeply for JSON as lost, restores the rest, and stays usable", async () => {
    const sessionId = `deep-${isolation}`;
    const result = await executor.execute({
      code: "typeof fine",
      sessionId,
      variables: { fine: [1, 2], deep: deeplyNested(200_000) as never },
    });
    expect(result.error).toBeUndefined();
    expect(result.value).toBe("'object'");
    expect(result.sessionChange?.lost).toContain("deep");
    expect(result.sessionChange?.restored).toContain("fine");
    // No timer of that cell is left to kill the worker later.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await executor.execute({ code: "fine.length", sessionId })).value).toBe("2");
  });
});

describe("approval resume values", () => {
  it("echoes at most a short piece of a junk value back in the interrupt", async () => {
    const executor = new IsolatedVmExecutor({ isolation: "in-process" });
    try {
      const agent = createCodeActAgent({
        model: new ScriptedChatModel(["```javascript\n1 + 1\n```", "2"]),
        executor,
        approve: true,
        checkpointer: new MemorySaver(),
      });
      const config = { configurable: { thread_id: "junk" } };
      await agent.invoke({ messages: [{ role: "user", content: "1+1" }] }, config);
      const junk = "x".repeat(5_000_000);
      const again = (await agent.invoke(new Command({ resume: junk }), config)) as { __interrupt__?: Array<{ value: { error?: string } }> };
      const error = again.__interrupt__?.[0]?.value.error ?? "";
      expect(error).toMatch(/Invalid resume value/);
      expect(error.length).toBeLessThan(2_000);
    } finally {
      await executor.close();
    }
  });
});

describe.each(["in-process", "process"] as const)("model code that replaces built-ins (%s isolation)", (isolation) => {
  let executor: IsolatedVmExecutor;
  beforeAll(() => {
    executor = new IsolatedVmExecutor({ isolation, timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await executor.close();
  });
  const tools = { twice: Object.assign(async (input: unknown) => 2 * Number((input as { n: number }).n), { parameters: ["n"] }) };

  it.each([
    "Set.prototype.has = () => true",
    "Set.prototype.has = () => { throw new Error('no') }",
    "Array.prototype.push = () => 0",
    "Array.prototype.includes = () => true",
    "Object.keys = () => []",
    "Object.getOwnPropertyNames = () => { throw new Error('no') }",
    "JSON.stringify = () => 'x'",
    "RegExp.prototype.test = () => false",
  ])("never loses the saved variables: %s", async (override) => {
    const sessionId = `${isolation}-${override}`;
    await executor.execute({ code: "var keep = [1, 2]; var other = { a: 1 }", sessionId });
    const broken = await executor.execute({ code: `${override}; 1`, sessionId });
    expect(Object.keys(broken.variables ?? {})).toEqual(expect.arrayContaining(["keep", "other"]));
    const later = await executor.execute({ code: "var third = 3", sessionId });
    expect(later.variables).toEqual(expect.objectContaining({ keep: [1, 2], other: { a: 1 }, third: 3 }));
  });

  const REPLACED = [
    "Array.prototype.push = () => 0",
    "Array.prototype.join = () => 'J'",
    "Array.prototype.pop = () => undefined",
    "Array.prototype.includes = () => true",
    "Array.prototype[Symbol.iterator] = function* () { yield 'x' }",
    "String.prototype.slice = () => 'S'",
    "String.prototype.split = () => ['S']",
    "String.prototype.replace = () => 'R'",
    "String.prototype.includes = () => true",
    "String.prototype.repeat = () => ''",
    "String.prototype.startsWith = () => true",
    "String.prototype.indexOf = () => -1",
    "String.prototype[Symbol.split] = () => []",
    "RegExp.prototype.exec = () => null",
    "RegExp.prototype.test = () => true",
    "RegExp.prototype[Symbol.replace] = () => 'Q'",
    "Map.prototype.get = () => 99; Map.prototype.set = function () { return this }",
    "Map.prototype.entries = function* () { yield ['k', 'v'] }",
    "Object.getPrototypeOf(new Map().entries()).next = () => ({ done: true })",
    "Object.getPrototypeOf(new Set().values()).next = () => ({ done: true })",
    "Set.prototype.add = () => { throw new Error('no') }",
    "Object.defineProperty(Object.prototype, 'timeout', { get() { throw new Error('polluted') }, configurable: true })",
    "Object.prototype.error = { message: 'polluted' }",
    "Math.trunc = () => 0",
  ];

  it.each(REPLACED)("prints, returns values, calls tools and reports errors as before: %s", async (override) => {
    const sessionId = `${isolation}-format-${override}`;
    // the values are built first: the override may break the model's own code, never the runtime
    const code =
      "globalThis.kept = { list: [1, 2], text: \"it's\" };\n" +
      "const shown = { a: [1, 2], m: new Map([[1, 2]]), s: new Set([3]) }, last = ['x\\'y', new Map([['k', [1]]])];\n" +
      `${override};\n` +
      "console.log('%d items', 2.5, shown);\n" +
      "console.log('%i of %s', 7.9, 'ten', 'rest');\n" +
      "console.count('n');\n" +
      "const got = await twice({ n: 21 });\n" +
      "({ got, last })";
    const result = await executor.execute({ code, sessionId, tools });
    expect(result.error).toBeUndefined();
    expect(result.output).toBe("2.5 items { a: [ 1, 2 ], m: Map(1) { 1 => 2 }, s: Set(1) { 3 } }\n7 of ten rest\nn: 1\n");
    expect(result.value).toBe(`{ got: 42, last: [ "x'y", Map(1) { 'k' => [ 1 ] } ] }`);
    expect(result.variables).toEqual(expect.objectContaining({ kept: { list: [1, 2], text: "it's" } }));
    const failed = await executor.execute({ code: "function inner() { throw new TypeError('bad ' + 'input') }\ninner()", sessionId, tools });
    expect(failed.error?.name).toBe("TypeError");
    expect(failed.error?.message).toBe("bad input");
    expect(failed.error?.traceback).toMatch(/at inner \(cell-\d+\.ts:1:\d+\)/);
  });

  it("puts Promise.prototype.then back, so the next cells (and their tool calls) work", async () => {
    const sessionId = `${isolation}-then`;
    await executor.execute({ code: "Promise.prototype.then = function () { throw new Error('hijacked') }; 1", sessionId, tools });
    const next = await executor.execute({ code: "await twice({ n: 21 })", sessionId, tools });
    expect(next.error).toBeUndefined();
    expect(next.value).toBe("42");
    const after = await executor.execute({ code: "const s = new Set([1]); s.size", sessionId, tools });
    expect(after.value).toBe("1");
  });
});

describe.each(["in-process", "process"] as const)("errors of any size (%s isolation)", (isolation) => {
  it("caps the name, message and traceback of a thrown error like output", async () => {
    const executor = new IsolatedVmExecutor({ isolation, maxOutputChars: 2_000 });
    try {
      for (const code of [
        "throw new Error('m'.repeat(30_000_000))",
        "const e = new Error('x'); e.name = 'N'.repeat(5_000_000); throw e",
        "function deep(n) { return n === 0 ? (() => { throw new RangeError('r'.repeat(1_000_000)) })() : deep(n - 1) } deep(500)",
      ]) {
        const result = await executor.execute({ code, sessionId: `errors-${isolation}` });
        const { name, message, traceback } = result.error ?? { name: "", message: "" };
        expect(name.length).toBeLessThanOrEqual(200);
        expect(message.length).toBeLessThanOrEqual(2_000);
        expect((traceback ?? "").length).toBeLessThanOrEqual(2_000);
        expect(JSON.stringify(result).length).toBeLessThan(20_000);
      }
      expect((await executor.execute({ code: "1 + 1", sessionId: `errors-${isolation}` })).value).toBe("2");
    } finally {
      await executor.close();
    }
  });
});

describe.each(["in-process", "process"] as const)("maxSessions under a burst of new sessions (%s isolation)", (isolation) => {
  it("never holds more live sessions than the limit, and every cell still runs", async () => {
    const executor = new IsolatedVmExecutor({ isolation, maxSessions: 5, timeoutMs: 20_000 });
    let highest = 0;
    const slow = Object.assign(
      async () => {
        highest = Math.max(highest, executor.sessionCount);
        await new Promise((resolve) => setTimeout(resolve, 30));
        return 1;
      },
      { parameters: [] as string[] }
    );
    try {
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, index) =>
          executor.execute({ code: `await slow(); ${index}`, sessionId: `burst-${index}`, tools: { slow } })
        )
      );
      expect(results.map((result) => result.error?.name ?? result.value)).toEqual(Array.from({ length: 60 }, (_, index) => String(index)));
      highest = Math.max(highest, executor.sessionCount);
      expect(highest).toBeLessThanOrEqual(5);
      expect(highest).toBeGreaterThan(0);
    } finally {
      await executor.close();
    }
  });

  it("makes a new session wait for a busy one to end rather than exceed the limit", async () => {
    const executor = new IsolatedVmExecutor({ isolation, maxSessions: 1, timeoutMs: 1_000 });
    const hang = Object.assign(() => new Promise(() => undefined), { parameters: [] as string[] });
    try {
      const busy = executor.execute({ code: "await hang()", sessionId: "busy", tools: { hang } });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const waiting = executor.execute({ code: "1", sessionId: "other" });
      // The busy cell ends at its time limit; only then does the other session start.
      expect((await busy).error?.name).toBe("TimeoutError");
      const ran = await waiting;
      expect(ran.error?.name ?? ran.value).toBe("1");
      expect(executor.sessionCount).toBeLessThanOrEqual(1);
    } finally {
      await executor.close();
    }
  });
});

describe.each(["in-process", "process"] as const)("tools the model removes (%s isolation)", (isolation) => {
  it("puts a deleted or overwritten tool back in the next cell", async () => {
    const executor = new IsolatedVmExecutor({ isolation });
    const tools = { add: Object.assign(async (input: unknown) => (input as { a: number }).a + 1, { parameters: ["a"] }) };
    try {
      const run = (code: string) => executor.execute({ code, sessionId: `tools-${isolation}`, tools });
      expect((await run("delete globalThis.add; typeof add")).value).toBe("'undefined'");
      expect((await run("await add({ a: 1 })")).value).toBe("2");
      expect((await run("add = 'not a tool'; add")).value).toBe("'not a tool'");
      expect((await run("await add({ a: 2 })")).value).toBe("3");
      expect((await run("Object.defineProperty(globalThis, 'add', { value: 7, configurable: true }); add")).value).toBe("7");
      expect((await run("await add({ a: 3 })")).value).toBe("4");
    } finally {
      await executor.close();
    }
  });
});
