/**
 * Test helpers for code built on langgraph-codeact: a scripted executor for
 * unit tests of graph logic, and the conformance suite every executor runs.
 *
 * @module langgraph-codeact/testing
 */
export {
  FakeExecutor,
  type FakeExecuteResult,
  type FakeExecutorOptions,
  type FakeExecutorResults,
} from "./fake-executor.js";
export {
  describeExecutorConformance,
  type ConformanceExecutorOptions,
  type ExecutorConformanceOptions,
} from "./conformance.js";
