#!/usr/bin/env node
/**
 * Runs the whole jest suite as two lanes side by side: the files that start
 * a Jupyter server (directly, or through a test helper they import), one at a
 * time, and all the others (one at a time on two cores, more with more).
 *
 * Why lanes rather than jest's workers: most files spend their time waiting
 * on child processes, so running two at once saves about a quarter of the
 * suite on two cores (~950 s one file at a time, ~690 s in lanes). With
 * jest's two workers instead, two Python files ran at once and two of their
 * kernels died or stopped answering; two Jupyter servers starting kernels at
 * once can race for the same TCP ports (each picks free ports for a kernel
 * before the kernel binds them), the likeliest cause. One lane for them keeps
 * Python files apart, as they were when the suite ran one file at a time.
 *
 *   node scripts/jest-lanes.mjs            the two lanes (what `npm test` runs)
 *   node scripts/jest-lanes.mjs <args>     plain jest with those arguments
 *
 * Each line of output is prefixed with its lane's name; the exit code is
 * non-zero when either lane fails.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// jest exports no subpaths; its bin is where npm puts it
const jest = path.join(root, "node_modules", "jest", "bin", "jest.js");
const STARTS_JUPYTER = /startLocalJupyter\(|jupyter-server/;
const RELATIVE_IMPORT = /(?:from|import\(|require\()\s*["'](\.{1,2}\/[^"']+)["']/g;

/** Does this file, or a local module it imports (transitively), start a Jupyter server? */
function startsJupyter(file, seen = new Map()) {
  if (seen.has(file)) return seen.get(file);
  seen.set(file, false);
  const source = readFileSync(file, "utf8");
  let found = STARTS_JUPYTER.test(source);
  for (const [, specifier] of source.matchAll(RELATIVE_IMPORT)) {
    if (found) break;
    const target = localModule(path.resolve(path.dirname(file), specifier));
    // only test helpers count: the product's own modules mention Jupyter without starting it here
    if (target !== undefined && target.startsWith(path.join(root, "tests") + path.sep)) found = startsJupyter(target, seen);
  }
  seen.set(file, found);
  return found;
}

/** The TypeScript file an import specifier names (`./x.js` is `./x.ts`), if any. */
function localModule(resolved) {
  const base = resolved.replace(/\.(js|ts)$/, "");
  return [`${base}.ts`, path.join(base, "index.ts")].find((candidate) => existsSync(candidate));
}

function runJest(args, lane) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [jest, ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    for (const stream of [child.stdout, child.stderr]) {
      const target = stream === child.stdout ? process.stdout : process.stderr;
      createInterface({ input: stream }).on("line", (line) => target.write(lane ? `[${lane}] ${line}\n` : `${line}\n`));
    }
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const extra = process.argv.slice(2);
if (extra.length > 0) {
  process.exit(await runJest(extra));
}

const testFiles = readdirSync(path.join(root, "tests"), { recursive: true })
  .filter((name) => name.endsWith(".test.ts"))
  .map((name) => path.join(root, "tests", name))
  .sort();
const python = testFiles.filter((file) => startsJupyter(file));
const other = testFiles.filter((file) => !python.includes(file));
console.log(`jest lanes: ${python.length} files that start Jupyter, ${other.length} others, side by side`);
// A machine with more cores gives the other lane more workers (one each on two cores).
const otherWorkers = Math.max(1, availableParallelism() - 2);
// jest given no paths would run every file: a lane with none has nothing to run
const runLane = (lane, workerArgs, files) => (files.length === 0 ? Promise.resolve(0) : runJest([...workerArgs, "--runTestsByPath", ...files], lane));
const codes = await Promise.all([
  runLane("python", ["--runInBand"], python),
  runLane("other", [`--maxWorkers=${otherWorkers}`], other),
]);
console.log(`jest lanes: python ${codes[0] === 0 ? "passed" : "FAILED"}, other ${codes[1] === 0 ? "passed" : "FAILED"}`);
process.exit(codes.some((code) => code !== 0) ? 1 : 0);
