import { runFixture } from "../executors/isolated-vm/fixtures/run-fixture.js";

describe("guest APIs that schedule delayed platform tasks", () => {
  it("cannot abort the host or the worker, in either isolation mode", async () => {
    // The fixture prints only if its process survived every case.
    const results = JSON.parse(await runFixture("delayed-tasks.ts")) as Record<string, string[]>;
    for (const isolation of ["in-process", "process"]) {
      const outcomes = results[isolation] ?? [];
      expect(outcomes).toHaveLength(5);
      // Atomics.waitAsync is gone: a TypeError in the code, and the session goes on.
      for (const outcome of outcomes.slice(0, 4)) expect(outcome).toBe("TypeError|2");
      expect(outcomes[4]).toBe("ReferenceError|2"); // FinalizationRegistry is removed too
    }
  }, 60_000);
});

describe("large results of truly asynchronous tools", () => {
  it("fail as MemoryLimitError in the code before they reach a small heap, in both isolation modes", async () => {
    const results = JSON.parse(await runFixture("large-tool-results.ts")) as Record<string, string[]>;
    for (const isolation of ["in-process", "process"]) {
      expect(results[isolation]).toEqual([
        "MemoryLimitError|2", // three 20 MB strings at once
        "MemoryLimitError|2", // 5 MB strings: over an eighth of a 64 MB heap each
        "MemoryLimitError|2", // 3 MB strings kept, until the cell's results pass half the heap
        "'MemoryLimitError'|2", // catchable in the code, like any tool error
      ]);
    }
  }, 60_000);
});
