import { runFixture } from "./fixtures/run-fixture.js";

describe("IsolatedVmExecutor: catastrophic out-of-memory", () => {
  it("returns MemoryLimitError, keeps the host up, and rebuilds the session", async () => {
    const line = await runFixture("catastrophic-oom.ts");
    const result = JSON.parse(line) as { error?: { name: string }; notice?: string; next?: string };
    expect(result.error?.name).toBe("MemoryLimitError");
    expect(result.notice).toBe("keep");
    expect(result.next).toBe("21");
  }, 60_000);
});
