import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import { processRssMb, rssSample } from "../../bench/scale-worker.js";
import { growthFromLowestMb, runScale } from "../../bench/scale.js";

// The scale benchmark's RSS per session once counted only the host process,
// while in "process" isolation the isolates live in the worker: these check
// that the worker's memory is in the figure.

const SESSIONS = 30;

async function openSessions(executor: IsolatedVmExecutor, count: number): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    const result = await executor.execute({ code: `const n = ${index}; n`, sessionId: `rss-${index}` });
    expect(result.error).toBeUndefined();
  }
}

describe("scale benchmark RSS", () => {
  it("reads a process's VmRSS from /proc", () => {
    const fromProc = processRssMb(process.pid);
    const fromNode = process.memoryUsage().rss / (1024 * 1024);
    expect(fromProc).toBeGreaterThan(0);
    // the two reads are a moment apart: allow for allocation in between
    expect(Math.abs(fromProc - fromNode)).toBeLessThan(fromNode * 0.1);
    expect(processRssMb(-1)).toBe(0);
  });

  it("counts the worker's RSS in process isolation, and it grows with the sessions there", async () => {
    const executor = new IsolatedVmExecutor({ isolation: "process" });
    try {
      await openSessions(executor, 1);
      const before = rssSample(executor);
      const pid = executor.workerPid;
      expect(pid).toBeDefined();
      expect(pid).not.toBe(process.pid);
      // a Node process with isolated-vm loaded is tens of MB
      expect(before.workerMb).toBeGreaterThan(20);
      expect(before.totalMb).toBeCloseTo(before.hostMb + before.workerMb, 6);

      await openSessions(executor, SESSIONS);
      const after = rssSample(executor);
      expect(executor.sessionCount).toBeGreaterThanOrEqual(SESSIONS);
      // each session is an isolate (about 1 MB measured) in the worker, not in this process
      expect(after.workerMb - before.workerMb).toBeGreaterThan(SESSIONS * 0.3);
    } finally {
      await executor.close();
    }
  }, 60_000);

  it("has no worker part in in-process isolation", async () => {
    const executor = new IsolatedVmExecutor({ isolation: "in-process" });
    try {
      await openSessions(executor, 1);
      const sample = rssSample(executor);
      expect(executor.workerPid).toBeUndefined();
      expect(sample.workerMb).toBe(0);
      expect(sample.totalMb).toBe(sample.hostMb);
    } finally {
      await executor.close();
    }
  });

  it("measures growth from the lowest point, so an early drop cannot hide a later leak", () => {
    // memory freed after the steps, then 1 MB more every tenth: a leak
    expect(growthFromLowestMb([500, 400, 300, 301, 302, 303, 304, 305, 306, 307])).toBe(7);
    // the old measure (end - 2nd tenth) called this -93 MB
    expect(growthFromLowestMb([500, 400, 320, 322, 319, 321, 320, 322, 321, 320])).toBe(1);
    expect(growthFromLowestMb([100])).toBe(0);
    expect(growthFromLowestMb([])).toBeNaN();
  });

  it("reports both isolation modes, each from its own child process", async () => {
    const figures = await runScale({ sessions: 2, executions: 20 });
    expect(figures).toHaveLength(16);
    for (const mode of ["process", "in-process"]) {
      const ofMode = figures.filter((item) => item.name.includes(`(isolation: ${mode})`) || item.name.includes(`; isolation: ${mode})`));
      expect(ofMode).toHaveLength(8);
    }
    expect(figures.some((item) => item.name.startsWith("RSS per live session, host + worker"))).toBe(true);
  }, 240_000);
});
