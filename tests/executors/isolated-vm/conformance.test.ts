import { IsolatedVmExecutor } from "../../../src/executors/isolated-vm/index.js";
import { describeExecutorConformance } from "../../../src/testing/conformance.js";

describeExecutorConformance({
  name: "isolated-vm",
  language: "javascript",
  createExecutor: ({ timeoutMs }) => new IsolatedVmExecutor({ timeoutMs, isolation: "in-process" }),
});
