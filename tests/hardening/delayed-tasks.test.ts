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
      expect(outcomes[4]).toBe("'registered'|2");
    }
  }, 60_000);
});
