/** The executor conformance suite on kernels that run inside the bubblewrap sandbox. */
import { describeExecutorConformance } from "../../../src/testing/conformance.js";
import { JupyterExecutor, startLocalJupyter, type LocalJupyter } from "../../../src/executors/jupyter/index.js";
import { listKernelIds } from "./helpers.js";

let server: LocalJupyter | undefined;

beforeAll(async () => {
  server = await startLocalJupyter({ sandbox: true });
  expect(server.sandboxed).toBe(true);
}, 60_000);

afterAll(async () => {
  if (!server) return;
  expect(await listKernelIds(server.baseUrl, server.token)).toEqual([]);
  await server.stop();
}, 60_000);

describeExecutorConformance({
  name: "jupyter (sandboxed)",
  language: "python",
  createExecutor: ({ timeoutMs }) => {
    if (!server) throw new Error("the sandboxed Jupyter server did not start");
    return new JupyterExecutor({ baseUrl: server.baseUrl, token: server.token, timeoutMs, interruptGraceMs: 2_000 });
  },
  skip: ["runs concurrent tool calls concurrently"],
});
