/** The executor conformance suite on Jupyter kernels: plain, and inside the bubblewrap sandbox. */
import { describeExecutorConformance } from "../../../src/testing/conformance.js";
import {
  JupyterExecutor,
  startLocalJupyter,
  type LocalJupyter,
} from "../../../src/executors/jupyter/index.js";
import { listKernelIds } from "./helpers.js";

for (const sandbox of [false, true]) {
  describe(sandbox ? "sandboxed kernels" : "plain kernels", () => {
    let server: LocalJupyter | undefined;

    beforeAll(async () => {
      server = await startLocalJupyter({ sandbox });
      expect(server.sandboxed).toBe(sandbox);
    }, 60_000);

    afterAll(async () => {
      if (!server) return;
      expect(await listKernelIds(server.baseUrl, server.token)).toEqual([]);
      await server.stop();
    }, 60_000);

    describeExecutorConformance({
      name: sandbox ? "jupyter (sandboxed)" : "jupyter",
      language: "python",
      createExecutor: ({ timeoutMs }) => {
        if (!server) throw new Error("the local Jupyter server did not start");
        return new JupyterExecutor({
          baseUrl: server.baseUrl,
          token: server.token,
          timeoutMs,
          interruptGraceMs: 2_000,
        });
      },
      skip: [
        // Python tools are synchronous functions: calls in one cell run one after
        // another, so there is never more than one in flight.
        "runs concurrent tool calls concurrently",
      ],
    });
  });
}
