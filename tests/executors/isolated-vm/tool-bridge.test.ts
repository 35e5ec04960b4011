import { AsyncLocalStorage } from "node:async_hooks";
import { bindToCaller, createToolDispatcher } from "../../../src/executors/isolated-vm/tool-bridge.js";
import type { HostFunction } from "../../../src/executors/types.js";

describe("the isolated-vm tool bridge (host side)", () => {
  const seen: unknown[][] = [];
  const tools: Record<string, HostFunction> = {
    echo: async (...args: unknown[]) => {
      seen.push(args);
      return { args };
    },
    nothing: async () => undefined,
    fails: async () => {
      throw new RangeError("out of range");
    },
    throwsString: async () => {
      throw "plain text";
    },
    throwsObject: async () => {
      throw { code: 42 };
    },
    cyclic: async () => {
      const value: Record<string, unknown> = {};
      value.self = value;
      return value;
    },
    big: async () => 10n,
  };
  const dispatch = createToolDispatcher(tools);
  const reply = async (name: string, json: string) => JSON.parse(await dispatch(name, json)) as unknown;

  it("calls the tool with exactly the guest's JSON arguments and returns its value as JSON", async () => {
    expect(await reply("echo", '[1, {"a": "b"}, null]')).toEqual({ value: { args: [1, { a: "b" }, null] } });
    expect(seen.at(-1)).toEqual([1, { a: "b" }, null]);
    expect(await reply("nothing", "[]")).toEqual({});
  });

  it("answers errors as data: the tool's own, non-Error throws, and values JSON cannot carry", async () => {
    expect(await reply("fails", "[]")).toEqual({ error: { name: "RangeError", message: "out of range" } });
    expect(await reply("throwsString", "[]")).toEqual({ error: { name: "Error", message: "plain text" } });
    expect(await reply("throwsObject", "[]")).toEqual({ error: { name: "Error", message: '{"code":42}' } });
    expect(await reply("cyclic", "[]")).toEqual({ error: { name: "TypeError", message: expect.stringMatching(/^The tool cyclic returned a value that is not JSON/) } });
    expect(await reply("big", "[]")).toEqual({ error: { name: "TypeError", message: expect.stringContaining("not JSON") } });
  });

  it("rejects forged requests: unknown or inherited names, bad JSON, arguments that are not a list", async () => {
    for (const name of ["missing", "constructor", "__proto__", "toString", "hasOwnProperty"]) {
      expect(await reply(name, "[]")).toEqual({ error: { name: "ReferenceError", message: `The tool ${name} is not available in this cell.` } });
    }
    expect(await reply(42 as unknown as string, "[]")).toEqual({ error: { name: "ReferenceError", message: "The tool 42 is not available in this cell." } });
    expect(await reply("echo", "{not json")).toEqual({ error: { name: "TypeError", message: "The arguments of echo() are not valid JSON." } });
    expect(await reply("echo", '{"a": 1}')).toEqual({ error: { name: "TypeError", message: "The arguments of echo() must be a list." } });
  });

  it("runs tools and output in the async context of the caller of execute", async () => {
    const storage = new AsyncLocalStorage<string>();
    const contexts: (string | undefined)[] = [];
    const hooks = storage.run("caller", () =>
      bindToCaller({ where: async () => contexts.push(storage.getStore()) }, () => contexts.push(storage.getStore()))
    );
    // Called later from elsewhere (the isolate's thread, the worker's messages).
    await storage.run("elsewhere", () => hooks.dispatch("where", "[]"));
    storage.run("elsewhere", () => hooks.onOutput?.("text"));
    expect(contexts).toEqual(["caller", "caller"]);
  });
});

describe("tool results against the sandbox's memory", () => {
  it("refuses one result over an eighth of the heap, and a cell's results over half of it", async () => {
    const { createToolDispatcher: dispatcherWith, replyLimitsFor } = await import("../../../src/executors/isolated-vm/tool-bridge.js");
    const limits = replyLimitsFor(8); // 4 Mi characters of heap
    expect(limits).toEqual({ maxReplyChars: 524_288, maxCellReplyChars: 2_097_152 });
    const text = (chars: number) => async () => "y".repeat(chars);
    const dispatch = dispatcherWith({ huge: text(600_000), fair: text(500_000) }, limits);
    const huge = JSON.parse(await dispatch("huge", "[]")) as { error?: { name: string; message: string } };
    expect(huge.error?.name).toBe("MemoryLimitError");
    expect(huge.error?.message).toMatch(/^The tool huge returned 1\.1 MB, more than the sandbox's memory limit takes/);
    const replies = [];
    for (let index = 0; index < 5; index += 1) replies.push(JSON.parse(await dispatch("fair", "[]")) as { value?: string; error?: { name: string } });
    expect(replies.slice(0, 4).every((reply) => typeof reply.value === "string")).toBe(true);
    expect(replies[4]?.error?.name).toBe("MemoryLimitError");
  });
});
