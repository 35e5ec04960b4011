// Tests run as CommonJS through ts-jest (every dependency ships a CJS build);
// type errors are caught by `tsc --noEmit`, which `npm test` runs first.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
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
