import { isAlive } from "../support/processes.js";
import { createExecutor } from "../../src/executors/create-executor.js";


describe("createExecutor, the one executor factory", () => {
  it("builds a JavaScript executor on first use", async () => {
    const executor = createExecutor({ language: "javascript", options: { isolation: "in-process", timeoutMs: 2000 } });
    try {
      expect(executor.language).toBe("javascript");
      const result = await executor.execute({ code: "[1, 2, 3].map((n) => n * 2)", sessionId: "js" });
      expect(result.value).toBe("[ 2, 4, 6 ]");
      expect(executor.description).toContain("2000");
    } finally {
      await executor.close();
    }
  });

  it("starts a local Jupyter server for Python, its kernels sandboxed by default", async () => {
    process.env["CODEACT_TEST_HOST_SECRET"] = "visible-on-the-host";
    const executor = createExecutor({ language: "python", options: { timeoutMs: 20_000 } });
    try {
      expect(await executor.describe()).toMatch(/The kernel is sandboxed: it has no network/);
      const result = await executor.execute({
        code: "import os\nprint(os.environ.get('CODEACT_TEST_HOST_SECRET'), os.path.exists(os.path.expanduser('~root/.bashrc')) or os.access('/root', os.R_OK))",
        sessionId: "sandboxed",
      });
      expect(result.error).toBeUndefined();
      // Nothing of the host's environment or home reaches model code.
      expect(result.output).toBe("None False\n");
    } finally {
      delete process.env["CODEACT_TEST_HOST_SECRET"];
      await executor.close();
    }
  }, 60_000);

  it("with `sandbox: false`, starts a plain local Jupyter server on the first cell and stops it on close", async () => {
    const executor = createExecutor({ language: "python", server: { local: { sandbox: false } }, options: { timeoutMs: 20_000 } });
    const before = await executor.describe();
    expect(before).toContain("Python");
    expect(before).not.toMatch(/sandboxed/);
    const result = await executor.execute({ code: "import os\nprint(os.getppid())\n6 * 7", sessionId: "py" });
    expect(result.error).toBeUndefined();
    expect(result.value).toBe("42");
    // The kernel's parent is the jupyter-server the factory started.
    const serverPid = Number(result.output.trim());
    expect(isAlive(serverPid)).toBe(true);
    await executor.close();
    const deadline = Date.now() + 10_000;
    while (isAlive(serverPid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(isAlive(serverPid)).toBe(false);
    await expect(executor.execute({ code: "1", sessionId: "py" })).rejects.toMatchObject({ code: "EXECUTOR_CLOSED" });
  }, 60_000);
});
