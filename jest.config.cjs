// Tests run as CommonJS through ts-jest (every dependency ships a CJS build);
// type errors are caught by `tsc --noEmit`, which `npm test` runs first.
const os = require("node:os");

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  // Most test files spend their time waiting on child processes (Jupyter
  // kernels, sandbox workers, the dev server, the CLI), so two files run at
  // once even on two cores, where jest's default (cores - 1) runs one.
  maxWorkers: Math.max(2, os.availableParallelism() - 1),
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  moduleNameMapper: {
    "^(\\.{1,2}/.*)\\.js$": "$1",
  },
  transform: {
    "^.+\\.ts$": [
      "ts-jest",
      {
        tsconfig: {
          isolatedModules: true,
          module: "commonjs",
          moduleResolution: "node10",
          verbatimModuleSyntax: false,
          esModuleInterop: true,
          ignoreDeprecations: "5.0",
        },
      },
    ],
  },
  testTimeout: 30000,
};
