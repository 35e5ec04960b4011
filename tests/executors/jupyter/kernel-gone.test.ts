import { JupyterExecutor, startLocalJupyter, type LocalJupyter } from "../../../src/executors/jupyter/index.js";
import { KERNEL_CHECK_AFTER_IDLE_MS } from "../../../src/executors/jupyter/session-lifecycle.js";
import { deleteKernel as deleteKernelOnServer, kernelIdOf, listKernelIds } from "./helpers.js";

// A kernel the server deleted (a user, or its idle culler) behind the session's back: the server
// leaves the channels socket open and silent, so nothing on the socket says it is gone.

jest.setTimeout(60_000);

let server: LocalJupyter;
let executor: JupyterExecutor;


async function deleteKernel(kernelId: string): Promise<void> {
  expect(await deleteKernelOnServer(server.baseUrl, server.token, kernelId)).toBe(204);
}

beforeAll(async () => {
  server = await startLocalJupyter();
  executor = new JupyterExecutor({ baseUrl: server.baseUrl, token: server.token, timeoutMs: 3_000 });
});

afterAll(async () => {
  await executor.close();
  expect(await listKernelIds(server.baseUrl, server.token)).toEqual([]);
  await server.stop();
});

describe("a kernel deleted on the server", () => {
  it("while the session idled: the next cell runs at once on a new kernel with the variables restored", async () => {
    const first = await executor.execute({ sessionId: "idle", code: "x = 5" });
    await deleteKernel(kernelIdOf(first));
    await new Promise((resolve) => setTimeout(resolve, KERNEL_CHECK_AFTER_IDLE_MS));
    const next = await executor.execute({ sessionId: "idle", code: "print(x * 2)" });
    expect(next.error).toBeUndefined();
    expect(next.output).toBe("10\n");
    expect(kernelIdOf(next)).not.toBe(kernelIdOf(first));
    expect(next.sessionChange).toMatchObject({ cause: expect.stringMatching(/no longer exists/), restored: ["x"], lost: [] });
  });

  it("right after a cell: the next cell ends at its time limit with the kernel replaced, never a thrown server error", async () => {
    const first = await executor.execute({ sessionId: "busy", code: "y = [1, 2]" });
    await deleteKernel(kernelIdOf(first));
    const stuck = await executor.execute({ sessionId: "busy", code: "print(y)" });
    // Said as what happened: the kernel is gone, not the code too slow or the kernel restarted.
    expect(stuck.error?.name).toBe("SessionCrashedError");
    expect(stuck.error?.message).toMatch(/no longer exists on the server/);
    expect(stuck.error?.message).not.toMatch(/restarted|longer than/);
    expect(stuck.sessionChange).toMatchObject({ cause: expect.stringMatching(/no longer exists/), restored: ["y"] });
    const next = await executor.execute({ sessionId: "busy", code: "print(sum(y))" });
    expect(next.error).toBeUndefined();
    expect(next.output).toBe("3\n");
    expect(kernelIdOf(next)).not.toBe(kernelIdOf(first));
  });

  it("right after a cell, then aborted: still an AbortError (callers rely on it), saying the kernel was gone", async () => {
    const first = await executor.execute({ sessionId: "aborted", code: "z = 7" });
    await deleteKernel(kernelIdOf(first));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const stopped = await executor.execute({ sessionId: "aborted", code: "print(z)", signal: controller.signal });
    expect(stopped.error?.name).toBe("AbortError");
    expect(stopped.error?.message).toMatch(/aborted.*no longer existed on the server, so a new one was started/);
    expect(stopped.sessionChange).toMatchObject({ cause: expect.stringMatching(/no longer exists/), restored: ["z"] });
    expect((await executor.execute({ sessionId: "aborted", code: "print(z)" })).output).toBe("7\n");
  });
});
