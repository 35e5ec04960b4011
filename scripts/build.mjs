#!/usr/bin/env node
/**
 * Builds dist/: the library with tsc, one file per module as it is published,
 * then the `codeact` bin as one bundle in place of tsc's `cli/index.js`.
 *
 * Why the bin is bundled: a CLI run loads ~900 modules of LangChain,
 * LangGraph and the OpenAI client, and resolving and instantiating them one
 * file at a time took ~450 ms of a run; as one file they load in ~150 ms.
 * The executors stay separate files, imported from dist/executors/: the
 * sandbox's worker process is started from its own file beside them, and
 * isolated-vm is a native module.
 *
 *   node scripts/build.mjs [--out-dir <dir>]   (default: dist)
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
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
const bin = path.join(outDir, "cli", "index.js");

/** Imports of the executors point at their compiled files beside the bundle instead of being bundled. */
const executorsStayApart = {
  name: "executors-stay-apart",
  setup(builder) {
    builder.onResolve({ filter: /^\.\.?\// }, (args) => {
      const resolved = path.resolve(args.resolveDir, args.path);
      if (!resolved.startsWith(executorsDir)) return undefined;
      const compiledFile = path.join(outDir, path.relative(sourceDir, resolved)).replace(/\.ts$/, ".js");
      const relative = path.relative(path.dirname(bin), compiledFile).split(path.sep).join("/");
      return { path: relative.startsWith(".") ? relative : `./${relative}`, external: true };
    });
  },
};

// tsc's map of the file the bundle replaces would describe the wrong code.
rmSync(`${bin}.map`, { force: true });
await build({
  entryPoints: [path.join(sourceDir, "cli", "index.ts")],
  outfile: bin,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  allowOverwrite: true,
  logLevel: "warning",
  legalComments: "eof",
  external: ["isolated-vm"],
  plugins: [executorsStayApart],
  // CommonJS dependencies inside an ES module bundle still call require and read __dirname.
  banner: {
    js: [
      'import { createRequire as __codeactCreateRequire } from "node:module";',
      'import { fileURLToPath as __codeactFileURLToPath } from "node:url";',
      'import { dirname as __codeactDirname } from "node:path";',
      "const require = __codeactCreateRequire(import.meta.url);",
      "const __filename = __codeactFileURLToPath(import.meta.url);",
      "const __dirname = __codeactDirname(__filename);",
    ].join("\n"),
  },
});
