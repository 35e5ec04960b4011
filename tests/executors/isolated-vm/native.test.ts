import { readFileSync } from "node:fs";
import type IsolatedVm from "isolated-vm";
import { join } from "node:path";
import ivm, {
  ISOLATED_VM_MAJOR_BY_NODE_MAJOR,
  isolatedVmMajorForNode,
  type CompiledScript,
} from "../../../src/executors/isolated-vm/native.js";

/** The version of the isolated-vm package this test process resolves (on Node 24 runs: the .node24 copy). */
function loadedIsolatedVmVersion(): string {
  const entry = require.resolve("isolated-vm");
  const manifest = JSON.parse(readFileSync(join(entry, "..", "package.json"), "utf8")) as { version: string };
  return manifest.version;
}

describe("native isolated-vm loader", () => {
  it("loads the isolated-vm major that matches the running Node", () => {
    const major = Number.parseInt(loadedIsolatedVmVersion(), 10);
    expect({ node: process.versions.node, isolatedVm: major }).toEqual({
      node: process.versions.node,
      isolatedVm: isolatedVmMajorForNode(),
    });
    expect(ivm).toBe(require("isolated-vm"));
  });

  it("maps Node versions to the isolated-vm major npm installs there", () => {
    expect(isolatedVmMajorForNode("18.20.0")).toBeUndefined();
    expect(isolatedVmMajorForNode("v20.20.2")).toBe(5);
    expect(isolatedVmMajorForNode("22.23.3")).toBe(6);
    expect(isolatedVmMajorForNode("23.1.0")).toBe(6);
    expect(isolatedVmMajorForNode("24.21.0")).toBe(7);
    expect(isolatedVmMajorForNode("25.0.0")).toBe(7);
    for (const [node, major] of Object.entries(ISOLATED_VM_MAJOR_BY_NODE_MAJOR)) {
      expect(isolatedVmMajorForNode(`${node}.0.0`)).toBe(major);
    }
  });

  // Every isolated-vm API the executor relies on, so a major that changes one fails here first.
  it("provides the APIs the executor uses", async () => {
    const catastrophic: string[] = [];
    const isolate = new ivm.Isolate({ memoryLimit: 32, onCatastrophicError: (message) => catastrophic.push(message) });
    try {
      const context = await isolate.createContext();
      const hostCalls: unknown[] = [];
      const host = new ivm.Reference(async (text: string) => {
        hostCalls.push(text);
        return `echo:${text}`;
      });
      await context.global.set("host", host);

      const script = (await isolate.compileScript(
        "(async () => { const r = await host.apply(undefined, ['hi'], { result: { promise: true, copy: true } }); return { r, n: 6 * 7 }; })()",
        { produceCachedData: true }
      )) as CompiledScript;
      expect(script.cachedData).toBeInstanceOf(ivm.ExternalCopy);
      const value: unknown = await script.run(context, { promise: true, copy: true });
      expect(value).toEqual({ r: "echo:hi", n: 42 });
      expect(hostCalls).toEqual(["hi"]);

      const cached = (await isolate.compileScript("(() => 1 + 1)()", {
        cachedData: (await isolate.compileScript("(() => 1 + 1)()", { produceCachedData: true }) as CompiledScript)
          .cachedData,
      })) as CompiledScript;
      expect(cached.cachedDataRejected).not.toBe(true);
      expect(await cached.run(context)).toBe(2);

      const copy = new ivm.ExternalCopy({ nested: [1, "two"] });
      expect(copy.copy()).toEqual({ nested: [1, "two"] });
      const factory = (await context.eval("(function (a) { return { sum: a.nested[0] + 1 }; })", {
        reference: true,
      })) as IsolatedVm.Reference;
      const result = (await factory.apply(undefined, [copy.copyInto()], { result: { copy: true } })) as unknown;
      expect(result).toEqual({ sum: 2 });

      expect(typeof isolate.cpuTime).toBe("bigint");
      expect(typeof isolate.wallTime).toBe("bigint");
      expect(isolate.wallTime).toBeGreaterThan(0n);
      await expect(context.eval("while (true) {}", { timeout: 20 })).rejects.toThrow(/timed out/i);
      expect(catastrophic).toEqual([]);
    } finally {
      isolate.dispose();
    }
    expect(isolate.isDisposed).toBe(true);
  });

  it("reports a memory limit as an error and keeps the process alive", async () => {
    const isolate = new ivm.Isolate({ memoryLimit: 16 });
    const context = await isolate.createContext();
    await expect(
      context.eval("const a = []; while (true) a.push('x'.repeat(1024) + a.length);", { timeout: 10_000 })
    ).rejects.toThrow(/memory limit/i);
    expect(isolate.isDisposed).toBe(true);
    const next = new ivm.Isolate({ memoryLimit: 16 });
    expect(await (await next.createContext()).eval("1 + 1")).toBe(2);
    next.dispose();
  });
});
