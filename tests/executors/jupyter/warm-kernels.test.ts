import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExecutorClosedError, ExecutorUnavailableError } from "../../../src/executors/errors.js";
import {
  JupyterExecutor,
  startLocalJupyter,
  type LocalJupyter,
} from "../../../src/executors/jupyter/index.js";
import { KERNEL_CHECK_AFTER_IDLE_MS } from "../../../src/executors/jupyter/session-lifecycle.js";
import { deleteKernel as deleteKernelOnServer, executorsOn, kernelIdOf, listKernelIds } from "./helpers.js";

jest.setTimeout(60_000);

let server: LocalJupyter;
const executors = executorsOn(() => server);
const createExecutor = executors.create;

const kernels = (): Promise<string[]> => listKernelIds(server.baseUrl, server.token);

/** Waits until the server lists exactly `count` kernels, and returns them. */
async function untilKernelCount(count: number, timeoutMs = 30_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ids = await kernels();
    if (ids.length === count) return ids;
    if (Date.now() > deadline) throw new Error(`expected ${count} kernels, the server lists ${ids.length}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function deleteKernel(kernelId: string): Promise<void> {
  expect(await deleteKernelOnServer(server.baseUrl, server.token, kernelId)).toBe(204);
}

beforeAll(async () => {
  server = await startLocalJupyter();
});

afterEach(async () => {
  await executors.closeAll();
  // Every test leaves the server as it found it: warm kernels never outlive their executor.
  expect(await kernels()).toEqual([]);
});

afterAll(async () => {
  await server.stop();
});

describe("warm kernels", () => {
  it("starts warmKernels kernels at once, gives a new session one of them, and starts another in its place", async () => {
    const executor = createExecutor({ warmKernels: 1 });
    const [warm] = await untilKernelCount(1);
    const first = await executor.execute({ sessionId: "a", code: "x = 6 * 7\nprint(x)" });
    expect(first.error).toBeUndefined();
    expect(first.output).toContain("42");
    expect(kernelIdOf(first)).toBe(warm);
    expect(first.sessionChange).toBeUndefined();
    const replacement = (await untilKernelCount(2)).find((id) => id !== warm);
    expect(replacement).toBeDefined();
    // The second new session takes the replacement; the first keeps its kernel and its variables.
    const second = await executor.execute({ sessionId: "b", code: "print('b')" });
    expect(kernelIdOf(second)).toBe(replacement);
    const again = await executor.execute({ sessionId: "a", code: "print(x)" });
    expect(again.output).toContain("42");
    expect(kernelIdOf(again)).toBe(warm);
  });

  it("a warm kernel behaves as a new one: tools, restored variables and definitions reach it", async () => {
    const executor = createExecutor({ warmKernels: 1 });
    const [warm] = await untilKernelCount(1);
    const double = Object.assign(async (input: unknown) => (input as { n: number }).n * 2, { parameters: ["n"] as const });
    const result = await executor.execute({
      sessionId: "restored",
      code: "print(double(n=total), greet('ann'))",
      tools: { double },
      variables: { total: 21 },
      definitions: { code: [{ name: "greet", source: "def greet(name):\n    return 'hi ' + name" }] },
    });
    expect(result.error).toBeUndefined();
    expect(result.output).toContain("42 hi ann");
    expect(kernelIdOf(result)).toBe(warm);
  });

  it("prestartKernel starts one kernel that the next new session takes, and nothing replaces it", async () => {
    const executor = createExecutor();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await kernels()).toEqual([]);
    executor.prestartKernel();
    const [warm] = await untilKernelCount(1);
    const result = await executor.execute({ sessionId: "p", code: "print(1)" });
    expect(kernelIdOf(result)).toBe(warm);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await kernels()).toEqual([warm]);
  });

  // Deleted while it starts (the server then holds its socket for a minute) and once it has answered.
  it.each([0, 3_000])(
    "a warm kernel deleted %i ms after the server listed it is shut down and the session starts on a new kernel, without an error",
    async (afterMs) => {
      const executor = createExecutor({ warmKernels: 1 });
      const [warm] = await untilKernelCount(1);
      await new Promise((resolve) => setTimeout(resolve, afterMs));
      await deleteKernel(warm ?? "");
      const result = await executor.execute({ sessionId: "d", code: "print('alive')" });
      expect(result.error).toBeUndefined();
      expect(result.output).toContain("alive");
      expect(kernelIdOf(result)).not.toBe(warm);
      expect(result.sessionChange).toBeUndefined();
    },
    30_000
  );

  it("a session whose kernel was deleted while it idled moves to a warm kernel with its variables", async () => {
    const executor = createExecutor({ warmKernels: 1 });
    const first = await executor.execute({ sessionId: "r", code: "kept = [1, 2, 3]" });
    const original = kernelIdOf(first);
    const ids = await untilKernelCount(2);
    const warm = ids.find((id) => id !== original) ?? "";
    await deleteKernel(original);
    await new Promise((resolve) => setTimeout(resolve, KERNEL_CHECK_AFTER_IDLE_MS));
    const next = await executor.execute({ sessionId: "r", code: "print(sum(kept))" });
    expect(next.output).toContain("6");
    expect(kernelIdOf(next)).toBe(warm);
    expect(next.sessionChange?.restored).toEqual(["kept"]);
    expect(next.sessionChange?.cause).toMatch(/no longer exists/);
  });

  it("close() shuts down warm kernels, those still starting too, and keepKernelsOnClose keeps only session kernels", async () => {
    const starting = new JupyterExecutor({ baseUrl: server.baseUrl, token: server.token, warmKernels: 2 });
    await starting.close();
    expect(await kernels()).toEqual([]);
    expect(() => starting.prestartKernel()).toThrow(ExecutorClosedError);

    const keeping = new JupyterExecutor({
      baseUrl: server.baseUrl,
      token: server.token,
      warmKernels: 1,
      keepKernelsOnClose: true,
    });
    const result = await keeping.execute({ sessionId: "k", code: "print(1)" });
    await untilKernelCount(2);
    await keeping.close();
    expect(await kernels()).toEqual([kernelIdOf(result)]);
    await deleteKernel(kernelIdOf(result));
  });

  it("keepKernelsOnClose keeps no kernel that a new session had not used yet when close() came", async () => {
    // The kernel of a session that never ran a cell holds nothing to resume, and no thread's state names it.
    const keeping = createExecutor({ keepKernelsOnClose: true });
    const cell = keeping.execute({ sessionId: "late", code: "print(1)" });
    // close() lands while the kernel is started for the new session (that takes about a second).
    await new Promise((resolve) => setTimeout(resolve, 20));
    await keeping.close();
    await expect(cell).rejects.toThrow(ExecutorClosedError);
    expect(await untilKernelCount(0, 10_000)).toEqual([]);
  });

  it.each([0, 1])(
    "keepKernelsOnClose keeps no kernel whose id never reached the caller: close() during a session's first cell (warmKernels %i)",
    async (warmKernels) => {
      const keeping = createExecutor({ keepKernelsOnClose: true, warmKernels });
      if (warmKernels > 0) {
        await untilKernelCount(1);
        // Time for the warm kernel to start and answer, so the session takes it.
        await new Promise((resolve) => setTimeout(resolve, 3_000));
      }
      const cell = keeping.execute({ sessionId: `first-cell-${warmKernels}`, code: "import time\ntime.sleep(10)" });
      cell.catch(() => undefined);
      await untilKernelCount(warmKernels + 1);
      // The cell is under way: its kernel has been started or taken and the session opened on it.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await keeping.close();
      await expect(cell).rejects.toThrow();
      expect(await untilKernelCount(0, 10_000)).toEqual([]);
    }
  );

  it("keepKernelsOnClose keeps a kernel whose id reached the caller through onResumeToken", async () => {
    const told: string[] = [];
    const keeping = createExecutor({ keepKernelsOnClose: true });
    const slow = keeping.execute({ sessionId: "told", code: "import time\ntime.sleep(10)", onResumeToken: (token) => told.push(token) });
    slow.catch(() => undefined);
    const [kernelId] = await untilKernelCount(1);
    const deadline = Date.now() + 30_000;
    while (told.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(told[0]).toContain(kernelId as string);
    await keeping.close();
    expect(await kernels()).toEqual([kernelId]);
    await deleteKernel(kernelId as string);
  });

  it("keepKernelsOnClose keeps a kernel restarted in place when close() comes during its restore (its id had reached the caller)", async () => {
    const files = mkdtempSync(join(tmpdir(), "codeact-restart-"));
    const slowRestore = join(files, "slow-restore");
    const restoring = join(files, "restoring");
    try {
      const keeping = createExecutor({ keepKernelsOnClose: true, timeoutMs: 1_000, interruptGraceMs: 500 });
      // A class body runs again when the class is restored: once the test says so, it
      // marks that the restore has begun, then keeps the restore busy.
      const defined = await keeping.execute({
        sessionId: "in-place",
        code: [
          "class Slow:",
          `    if __import__("os").path.exists(${JSON.stringify(slowRestore)}):`,
          `        open(${JSON.stringify(restoring)}, "w").close()`,
          '        __import__("time").sleep(30)',
        ].join("\n"),
      });
      expect(defined.error).toBeUndefined();
      expect(defined.definitions?.code?.map((entry) => entry.name)).toEqual(["Slow"]);
      const kernelId = kernelIdOf(defined);
      writeFileSync(slowRestore, "");
      // Ignores the interrupt: after the grace period the kernel is restarted in place (same id) and restored.
      const stuck = keeping.execute({
        sessionId: "in-place",
        code: "import time\nwhile True:\n    try:\n        time.sleep(5)\n    except KeyboardInterrupt:\n        pass",
      });
      stuck.catch(() => undefined);
      const deadline = Date.now() + 45_000;
      while (!existsSync(restoring) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(existsSync(restoring)).toBe(true);
      await keeping.close();
      await expect(stuck).rejects.toThrow(ExecutorClosedError);
      expect(await kernels()).toEqual([kernelId]);
      await deleteKernel(kernelId);
    } finally {
      rmSync(files, { recursive: true, force: true });
    }
  });

  it("refuses a warmKernels that is not a whole number of kernels", () => {
    for (const warmKernels of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new JupyterExecutor({ baseUrl: server.baseUrl, warmKernels })).toThrow(RangeError);
    }
  });

  it("an unreachable server: warm starts fail quietly, and the session reports the server's real error", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const executor = new JupyterExecutor({ baseUrl: "http://127.0.0.1:9/", warmKernels: 2, requestTimeoutMs: 2_000 });
      executor.prestartKernel();
      await expect(executor.execute({ sessionId: "u", code: "1" })).rejects.toThrow(ExecutorUnavailableError);
      await executor.close();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
