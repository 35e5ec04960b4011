import { JupyterExecutor, startLocalJupyter, type LocalJupyter } from "../../src/executors/jupyter/index.js";
import { listKernelIds } from "../executors/jupyter/helpers.js";

// Python faults through the real Jupyter executor and a local jupyter-server.
// Each ends within its limit with a clear error; the session goes on (or is
// replaced with its snapshot); no kernel is orphaned.
const TIMEOUT_MS = 3_000;
const SLACK_MS = 15_000; // interrupt grace, kernel restart on a loaded machine

let server: LocalJupyter;
let executor: JupyterExecutor;
beforeAll(async () => {
  server = await startLocalJupyter();
  executor = new JupyterExecutor({ baseUrl: server.baseUrl, token: server.token, timeoutMs: TIMEOUT_MS, maxOutputChars: 2_000 });
}, 60_000);
afterAll(async () => {
  await executor?.close();
  await server?.stop();
}, 60_000);

let counter = 0;
async function fault(code: string): Promise<{ name: string | undefined; output: string }> {
  const sessionId = `py-${++counter}`;
  await executor.execute({ code: "kept = {'n': 41}", sessionId });
  const started = Date.now();
  const result = await executor.execute({ code, sessionId });
  expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + SLACK_MS);
  const next = await executor.execute({ code: "kept['n'] + 1", sessionId, variables: result.variables ?? {} });
  expect(next.error).toBeUndefined();
  expect(next.value).toBe("42");
  return { name: result.error?.name, output: result.output };
}

describe("hardening: Python faults", () => {
  jest.setTimeout(90_000);

  it.each([
    ["an infinite Python loop", "while True:\n    pass"],
    ["a long sleep in C code", "import time\ntime.sleep(10**6)"],
  ])("stops %s with TimeoutError", async (_title, code) => {
    expect((await fault(code)).name).toBe("TimeoutError");
  });

  it("stops a loop that swallows KeyboardInterrupt", async () => {
    const { name } = await fault("while True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        pass");
    expect(name).toMatch(/TimeoutError|SessionCrashedError/);
  });

  it("replaces a dead kernel and restores the snapshot", async () => {
    const { name } = await fault("import os\nos._exit(1)");
    expect(name).toBe("SessionCrashedError");
  });

  it("caps an output flood and survives binary junk on stdout", async () => {
    const flood = await fault("for i in range(200000):\n    print('flood', i)");
    expect(flood.output.length).toBeLessThan(2_300);
    const junk = await fault("import sys, os\nsys.stdout.write(os.urandom(4096).decode('latin-1') + '\\x00\\udcff\\x1b[2J')\nprint('after')");
    expect(junk.output).toContain("after");
  });

  it("leaves no orphan kernels after close", async () => {
    const scratch = new JupyterExecutor({ baseUrl: server.baseUrl, token: server.token });
    const before = await listKernelIds(server.baseUrl, server.token);
    await scratch.execute({ code: "1", sessionId: "orphan-a" });
    await scratch.execute({ code: "1", sessionId: "orphan-b" });
    expect((await listKernelIds(server.baseUrl, server.token)).length).toBe(before.length + 2);
    await scratch.close();
    expect((await listKernelIds(server.baseUrl, server.token)).sort()).toEqual(before.sort());
  });
});
