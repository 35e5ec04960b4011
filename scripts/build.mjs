#!/usr/bin/env node
/**
 * Builds dist/: the library with tsc, one file per module as it is published,
 * then the `codeact` program as one CommonJS bundle, `cli/program.cjs`, which
 * the bin (`cli/index.js`) loads through V8's compile cache.
 *
 * Why the program is bundled: a CLI run loads ~900 modules of LangChain,
 * LangGraph and the OpenAI client, and resolving and instantiating them one
 * file at a time took ~450 ms of a run; as one file they load in ~150 ms.
 * Why CommonJS: Node 20 can hand a script, not an ES module, its earlier
 * code cache (see src/cli/compile-cache.ts). Why whitespace-minified and
 * ASCII-only: reading the source is part of every start even with the code
 * cache, and V8 holds a non-ASCII source as a two-byte string; 4.7 MB with a
 * few non-ASCII comments read in ~60 ms, 3.2 MB of ASCII in ~25 ms. Names
 * are kept, so stack traces still say which function; licence comments go
 * to `program.cjs.LEGAL.txt` beside it. The executors stay separate files, imported
 * from dist/executors/: the sandbox's worker process is started from its own
 * file beside them, and isolated-vm is a native module.
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
const executorsDir = path.join(sourceDir, "executors") + path.sep;
const bundle = path.join(outDir, "cli", "program.cjs");

/** Imports of the executors point at their compiled files beside the bundle instead of being bundled. */
const executorsStayApart = {
  name: "executors-stay-apart",
  setup(builder) {
    builder.onResolve({ filter: /^\.\.?\// }, (args) => {
      const resolved = path.resolve(args.resolveDir, args.path);
      if (!resolved.startsWith(executorsDir)) return undefined;
      const compiledFile = path.join(outDir, path.relative(sourceDir, resolved)).replace(/\.ts$/, ".js");
      const relative = path.relative(path.dirname(bundle), compiledFile).split(path.sep).join("/");
      return { path: relative.startsWith(".") ? relative : `./${relative}`, external: true };
    });
  },
};

await build({
  entryPoints: [path.join(sourceDir, "cli", "program.ts")],
  outfile: bundle,
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  logLevel: "warning",
  minifyWhitespace: true,
  charset: "ascii",
  legalComments: "linked",
  // import() becomes require() (Node loads the executors' ES modules with
  // require since 20.19): Node 20 runs the bundle as a vm.Script, and there a
  // dynamic import needs an experimental loader hook that a code cache drops.
  supported: { "dynamic-import": false },
  external: ["isolated-vm"],
  plugins: [executorsStayApart],
});

// esbuild escapes non-ASCII in code; this catches anything else (see above).
const bundled = readFileSync(bundle, "latin1");
const nonAscii = /[^\x00-\x7f]/.exec(bundled);
if (nonAscii) {
  console.error(`build: ${bundle} has a non-ASCII character at offset ${nonAscii.index}; V8 would hold it as a two-byte string`);
  process.exit(1);
}
