import { IsolatedVmExecutor } from "../../../src/executors/isolated-vm/index.js";
import { IsolateSession } from "../../../src/executors/isolated-vm/isolate-session.js";
import { SessionPool } from "../../../src/executors/isolated-vm/session-pool.js";

const OPTIONS = { memoryLimitMb: 32, maxVariableChars: 10_000 };
const hooks = { dispatch: async () => "{}", onOutput: () => {} };

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("SessionPool", () => {
  it("fills to its size in the background, hands out ready sessions and refills", async () => {
    const pool = new SessionPool(OPTIONS, 2);
    expect(pool.readyCount).toBe(0);
    pool.fill();
    await waitFor(() => pool.readyCount === 2);
    const session = await pool.take();
    expect(pool.readyCount).toBe(1);
    expect(session.disposed).toBe(false);
    const result = await session.run("(async () => [6 * 7])()", 1_000, hooks);
    expect(result.value).toBe("42");
    pool.fill();
    await waitFor(() => pool.readyCount === 2);
    session.kill("closed");
    await pool.close();
  });

  it("builds a session on demand when empty, skips lost ones, and close() disposes the ready ones", async () => {
    const pool = new SessionPool(OPTIONS, 1);
    const first = await pool.take(); // nothing ready yet
    expect(first.disposed).toBe(false);
    pool.fill();
    await waitFor(() => pool.readyCount === 1);
    const ready = await pool.take();
    ready.kill("crash");
    pool.fill();
    await waitFor(() => pool.readyCount === 1);
    await pool.close();
    expect(pool.readyCount).toBe(0);
    pool.fill(); // closed: no refill
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pool.readyCount).toBe(0);
    first.kill("closed");
  });

  it("keeps nothing with size 0", async () => {
    const pool = new SessionPool(OPTIONS, 0);
    pool.fill();
    const session = await pool.take();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pool.readyCount).toBe(0);
    session.kill("closed");
    await pool.close();
  });
});

describe("IsolateSession.create", () => {
  it.each(["now", "background"] as const)("builds a working session with the %s calls", async (mode) => {
    const sessions: IsolateSession[] = [];
    try {
      // twice: the first build makes the runtime's code cache, the second uses it
      for (let index = 0; index < 2; index += 1) {
        const session = await IsolateSession.create(OPTIONS, mode);
        sessions.push(session);
        expect(await session.restore({ kept: "[1,2]" })).toEqual({ restored: ["kept"], lost: [] });
        const calls: string[] = [];
        const result = await session.run(
          "(async () => [kept.length + (await probe(3)) + typeof console.log])()",
          1_000,
          {
            dispatch: async (name, argumentsJson) => {
              calls.push(`${name}${argumentsJson}`);
              return JSON.stringify({ value: 40 });
            },
            onOutput: () => {},
          },
          ["probe"]
        );
        expect(result.value).toBe("'42function'");
        expect(calls).toEqual(["probe[3]"]);
        expect(result.variablesJson).toEqual({ kept: "[1,2]" });
      }
    } finally {
      for (const session of sessions) session.kill("closed");
    }
  });
});

describe("IsolatedVmExecutor prewarmSessions", () => {
  it("rejects a negative or fractional size", () => {
    expect(() => new IsolatedVmExecutor({ prewarmSessions: -1 })).toThrow(/prewarmSessions/);
    expect(() => new IsolatedVmExecutor({ prewarmSessions: 1.5 })).toThrow(/prewarmSessions/);
  });

  it.each([0, 2])("gives each new session a clean global scope (pool of %i)", async (prewarmSessions) => {
    const executor = new IsolatedVmExecutor({ isolation: "in-process", prewarmSessions });
    try {
      await executor.execute({ code: "globalThis.leak = 1; const mine = 2", sessionId: "a" });
      const other = await executor.execute({ code: "[typeof leak, typeof mine, typeof __codeactWarmUp]", sessionId: "b" });
      expect(other.value).toBe("[ 'undefined', 'undefined', 'undefined' ]");
      expect(executor.sessionCount).toBe(2);
    } finally {
      await executor.close();
    }
  });
});
