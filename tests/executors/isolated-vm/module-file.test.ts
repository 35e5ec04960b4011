/**
 * moduleFile() locates the executor's own files (the worker script beside it,
 * isolated-vm relative to it) from a stack frame, whatever the process's
 * stack trace settings.
 */
import path from "node:path";
import { moduleFile } from "../../../src/executors/isolated-vm/module-file.js";

const EXPECTED = path.resolve(__dirname, "../../../src/executors/isolated-vm/module-file.ts");

describe("moduleFile", () => {
  const limit = Error.stackTraceLimit;
  const prepare = Error.prepareStackTrace;
  afterEach(() => {
    Error.stackTraceLimit = limit;
    Error.prepareStackTrace = prepare;
  });

  it.each([0, 1, 10, Infinity])("finds its own file with Error.stackTraceLimit = %s (node --stack-trace-limit), and leaves the limit as it was", (value) => {
    Error.stackTraceLimit = value;
    expect(moduleFile()).toBe(EXPECTED);
    expect(Error.stackTraceLimit).toBe(value);
  });

  it("leaves a stack trace formatter the process installed in place", () => {
    const custom = (): string => "custom";
    Error.prepareStackTrace = custom;
    expect(moduleFile()).toBe(EXPECTED);
    expect(Error.prepareStackTrace).toBe(custom);
  });
});
