/**
 * prestartWorkerProcess: the CLI forks the sandbox's worker before loading
 * the executor, and the executor's first worker adopts that process. A
 * prestarted worker that dies first is replaced; one never adopted neither
 * keeps its host alive nor outlives it.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { IsolatedVmExecutor } from "../../../src/executors/isolated-vm/index.js";
import { prestartWorkerProcess } from "../../../src/executors/isolated-vm/worker-process.js";
import { isAlive, until } from "../../support/processes.js";

jest.setTimeout(60_000);

/** Waits for `condition`, failing the test if it does not hold within 10 s. */
async function waitFor(condition: () => boolean): Promise<void> {
  if (!(await until(condition, 10_000))) throw new Error("condition not met in time");
}

describe("prestartWorkerProcess", () => {
  let executor: IsolatedVmExecutor | undefined;
  afterEach(async () => {
    await executor?.close();
    executor = undefined;
  });

  it("forks one worker that the next executor adopts and runs cells in", async () => {
    const pid = prestartWorkerProcess();
    expect(pid).toEqual(expect.any(Number));
    expect(prestartWorkerProcess()).toBe(pid); // one is waiting: no second fork
    executor = new IsolatedVmExecutor({ isolation: "process" });
    const result = await executor.execute({ code: "const n: number = 6; n * 7", sessionId: "s" });
    expect(result.value).toBe("42");
    expect(executor.workerPid).toBe(pid);
    // adopted once: the next executor forks its own
    const other = new IsolatedVmExecutor({ isolation: "process" });
    try {
      await other.execute({ code: "1", sessionId: "s" });
      expect(other.workerPid).not.toBe(pid);
    } finally {
      await other.close();
    }
    await executor.close();
    await waitFor(() => !isAlive(pid!));
  });

  it("gives the adopted worker the executor's own options", async () => {
    prestartWorkerProcess();
    // the time limit is enforced inside the worker, from its "init"
    executor = new IsolatedVmExecutor({ isolation: "process", timeoutMs: 300 });
    const started = Date.now();
    const result = await executor.execute({ code: "while (true) {}", sessionId: "s" });
    expect(result.error?.name).toBe("TimeoutError");
    expect(result.error?.message).toContain("300 ms");
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it.each([
    ["killed", "SIGKILL"],
    ["stopped by a signal it handles", "SIGTERM"],
  ] as const)("replaces a prestarted worker %s before it was adopted", async (_name, signal) => {
    const pid = prestartWorkerProcess()!;
    process.kill(pid, signal);
    await waitFor(() => !isAlive(pid));
    executor = new IsolatedVmExecutor({ isolation: "process" });
    const result = await executor.execute({ code: "1 + 1", sessionId: "s" });
    expect(result.value).toBe("2");
    expect(executor.workerPid).not.toBe(pid);
  });

  it("replaces a prestarted worker that dies as it is adopted (its exit not yet seen)", async () => {
    const pid = prestartWorkerProcess()!;
    process.kill(pid, "SIGKILL");
    // no await in between: the host has not processed the exit when the executor adopts it
    executor = new IsolatedVmExecutor({ isolation: "process" });
    const result = await executor.execute({ code: "2 + 2", sessionId: "s" });
    expect(result.value).toBe("4");
    expect(executor.workerPid).not.toBe(pid);
  });

  it("neither keeps a host alive nor outlives it when never adopted", async () => {
    const tsx = pathToFileURL(createRequire(__filename).resolve("tsx")).href;
    const module = pathToFileURL(path.resolve(__dirname, "../../../src/executors/isolated-vm/worker-process.ts")).href;
    const host = spawn(
      process.execPath,
      ["--import", tsx, "-e", `import(${JSON.stringify(module)}).then((m) => console.log(m.prestartWorkerProcess()))`],
      { env: { ...process.env, NODE_OPTIONS: "" }, stdio: ["ignore", "pipe", "inherit"] }
    );
    let stdout = "";
    host.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    const code = await new Promise<number | null>((resolve) => host.once("exit", resolve));
    expect(code).toBe(0);
    const pid = Number(stdout.trim());
    expect(pid).toBeGreaterThan(0);
    await waitFor(() => !isAlive(pid));
  });
});
