#!/usr/bin/env node
/**
 * Builds dist/: the library with tsc, one file per module as it is published,
 * then the `codeact` program as one CommonJS bundle, `cli/program.cjs`, which
 * the bin (`cli/index.js`) loads through V8's compile cache.
 *
 * Why the program is bundled: a CLI run loads ~900 modules of LangChain,
 * LangGraph, the OpenAI client and our executors, and resolving and
 * instantiating them one file at a time took ~450 ms of a run; as one file
 * they load in ~150 ms. The sandbox's worker process is bundled too, as
 * `cli/process-worker.cjs` beside it; only isolated-vm (native) stays apart.
 * The library's own worker (`executors/isolated-vm/process-worker.js`) is
 * replaced by a bundle as well (see below).
 * Why CommonJS: Node 20 can hand a script, not an ES module, its earlier
 * code cache (see src/cli/compile-cache.ts). Why whitespace-minified and
 * ASCII-only: reading the source is part of every start even with the code
 * cache, and V8 holds a non-ASCII source as a two-byte string; 4.7 MB with a
 * few non-ASCII comments read in ~60 ms, 3.2 MB of ASCII in ~25 ms. Names
 * are kept, so stack traces still say which function; licence comments go
 * to `program.cjs.LEGAL.txt` beside it.
 *
 *   node scripts/build.mjs [--out-dir <dir>]   (default: dist)
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outIndex = process.argv.indexOf("--out-dir");
const outDir = path.resolve(outIndex === -1 ? path.join(root, "dist") : process.argv[outIndex + 1]);

rmSync(outDir, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const compiled = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json"), "--outDir", outDir], {
  stdio: "inherit",
});
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

const sourceDir = path.join(root, "src");
const cliDir = path.join(outDir, "cli");
/** What every bundle below shares: self-contained for Node 20+, ASCII (see above), isolated-vm (native) left out. */
const bundleOptions = {
  bundle: true,
  platform: "node",
  target: "node20",
  logLevel: "warning",
  charset: "ascii",
  external: ["isolated-vm"],
};

// Two self-contained bundles side by side: the program, and the sandbox's
// worker process, which the program's executor forks from the file named
// `process-worker` beside its own module (here, beside program.cjs).
await build({
  entryPoints: {
    program: path.join(sourceDir, "cli", "program.ts"),
    "process-worker": path.join(sourceDir, "executors", "isolated-vm", "process-worker.ts"),
  },
  outdir: cliDir,
  outExtension: { ".js": ".cjs" },
  ...bundleOptions,
  format: "cjs",
  minifyWhitespace: true,
  legalComments: "linked",
  // Node 20 runs the program as a vm.Script, where import() needs an
  // experimental loader hook that a code cache drops: every import() is
  // compiled to a require() of the bundled module.
  supported: { "dynamic-import": false },
});

// The library's worker process, likewise one file in place of tsc's: it is
// only ever started as a process, never imported, so nothing of the host
// shares its modules; one file boots ~30 ms sooner than ~20.
const libraryWorker = path.join(outDir, "executors", "isolated-vm", "process-worker.js");
rmSync(`${libraryWorker}.map`, { force: true });
await build({
  entryPoints: [path.join(sourceDir, "executors", "isolated-vm", "process-worker.ts")],
  outfile: libraryWorker,
  allowOverwrite: true,
  ...bundleOptions,
  format: "esm",
});

// esbuild escapes non-ASCII in code; this catches anything else (see above).
for (const bundle of [path.join(cliDir, "program.cjs"), path.join(cliDir, "process-worker.cjs"), libraryWorker]) {
  const nonAscii = /[^\x00-\x7f]/.exec(readFileSync(bundle, "latin1"));
  if (nonAscii) {
    console.error(`build: ${bundle} has a non-ASCII character at offset ${nonAscii.index}; V8 would hold it as a two-byte string`);
    process.exit(1);
  }
}
