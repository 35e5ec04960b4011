// The fast lane (`npm run test:unit`): tests that need no server (Jupyter,
// PostgreSQL, the dev server, a model replay server), no browser and no
// worker process — our own logic, with the in-process sandbox where a test
// runs code. The whole suite (`bash scripts/test.sh`) stays what CI runs.
const base = require("./jest.config.cjs");

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: [
    "<rootDir>/tests/shared/**/*.test.ts",
    "<rootDir>/tests/graph/**/*.test.ts",
    "<rootDir>/tests/tools/**/*.test.ts",
    "<rootDir>/tests/prompts/**/*.test.ts",
    "<rootDir>/tests/testing/**/*.test.ts",
    "<rootDir>/tests/cli/args.test.ts",
    "<rootDir>/tests/cli/render.test.ts",
    "<rootDir>/tests/tracing/trace-outputs.test.ts",
    "<rootDir>/tests/executors/isolated-vm/transform.test.ts",
    "<rootDir>/tests/executors/jupyter/kernel-connection.test.ts",
    "<rootDir>/tests/executors/isolated-vm/tool-bridge.test.ts",
    "<rootDir>/tests/executors/isolated-vm/module-file.test.ts",
    "<rootDir>/tests/m3tooleval/{calculator,checkers,tools,protocol}.test.ts",
  ],
};
