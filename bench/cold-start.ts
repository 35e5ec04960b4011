/**
 * Cold start of the JavaScript sandbox as a user's program meets it: the
 * package built with tsc (not run through tsx), imported by a fresh `node`
 * process, which then builds an executor and runs its first cell (`1+1`).
 * Each sample is a new process, so nothing is warm: not the module graph,
 * not V8's code caches, not the worker process of `isolation: "process"`.
 */
import { execFile, fork } from "node:child_process";
import { once } from "node:events";
import { performance } from "node:perf_hooks";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { figure, formatTable, median, type BenchFigure } from "./stats.js";

const run = promisify(execFile);

const GROUP = "JavaScript executor, cold start (built package, new process)";
/** From `new IsolatedVmExecutor()` to the first cell's result, process isolation (the default). */
export const COLD_FIRST_CELL_PROCESS_GOAL_MS = 150;
/** The same, `isolation: "in-process"`. */
export const COLD_FIRST_CELL_IN_PROCESS_GOAL_MS = 50;

export interface ColdStartOptions {
  /** Fresh processes per isolation mode; figures are their medians. */
  processes: number;
  /** The checkout to build (default: this one), e.g. an older revision's copy to compare. */
  repository?: string;
}

export const COLD_START_FULL: ColdStartOptions = { processes: 9 };
export const COLD_START_QUICK: ColdStartOptions = { processes: 3 };

// The bench runs from the repository root (npm run bench), as the other benchmarks assume.
const REPOSITORY = path.resolve(".");

/** What one fresh process measured. */
interface ColdSample {
  importMs: number;
  firstCellMs: number;
}

/**
 * Runs in the fresh process: imports the built subpath, builds an executor
 * at once (the worst case: nothing had time to start in the background)
 * and runs `1+1`. Prints its timings as JSON.
 */
const CHILD_SCRIPT = `
const [entry, isolation] = process.argv.slice(-2);
const importStarted = performance.now();
const { IsolatedVmExecutor } = await import(entry);
const imported = performance.now();
const executor = new IsolatedVmExecutor({ isolation });
const result = await executor.execute({ code: "1+1", sessionId: "first" });
const answered = performance.now();
await executor.close();
if (result.value !== "2") throw new Error("unexpected first cell: " + JSON.stringify(result));
process.stdout.write(JSON.stringify({ importMs: imported - importStarted, firstCellMs: answered - imported }));
`;

/**
 * Builds the package into a folder of its own (under node_modules, so its
 * imports resolve to this repository's dependencies; `dist/` is never
 * touched), measures, and removes the folder.
 */
export async function runColdStart(options: ColdStartOptions): Promise<BenchFigure[]> {
  const repository = options.repository ?? REPOSITORY;
  const cache = path.join(REPOSITORY, "node_modules", ".cache");
  mkdirSync(cache, { recursive: true });
  const outDir = mkdtempSync(path.join(cache, "codeact-cold-start-"));
  try {
    await buildInto(repository, outDir);
    const entry = pathToFileURL(path.join(outDir, "executors", "isolated-vm", "index.js")).href;
    const emptyChild = path.join(outDir, "empty-child.js");
    writeFileSync(emptyChild, "process.send({ type: \"ready\" });\n");
    const figures: BenchFigure[] = [];
    for (const isolation of ["process", "in-process"] as const) {
      const samples: ColdSample[] = [];
      const floor: number[] = [];
      for (let index = 0; index < options.processes; index += 1) {
        samples.push(await freshProcess(entry, isolation));
        if (isolation === "process") floor.push(await bareChild(emptyChild));
      }
      const goal = isolation === "process" ? COLD_FIRST_CELL_PROCESS_GOAL_MS : COLD_FIRST_CELL_IN_PROCESS_GOAL_MS;
      figures.push(
        figure({
          group: GROUP,
          name: `import of the isolated-vm subpath (median of ${options.processes} processes), isolation: ${isolation}`,
          value: median(samples.map((sample) => sample.importMs)),
          unit: "ms",
        }),
        figure({
          group: GROUP,
          name: `new executor to first cell \`1+1\` answered (median of ${options.processes} processes), isolation: ${isolation}`,
          value: median(samples.map((sample) => sample.firstCellMs)),
          unit: "ms",
          ...(isolation === "process" && {
            baseline: { name: "a bare child process with the same flags, fork to its first message", value: median(floor) },
          }),
          goal: { of: "value", max: goal },
        })
      );
    }
    return figures;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/**
 * The library as `npm run build` builds it (the worker process bundled), or,
 * for an older checkout without the build script (`--repository`), as tsc
 * compiles it.
 */
async function buildInto(repository: string, outDir: string): Promise<void> {
  const buildScript = path.join(repository, "scripts", "build.mjs");
  if (existsSync(buildScript)) {
    await run(process.execPath, [buildScript, "--out-dir", outDir], { cwd: repository });
  } else {
    const tsc = path.join(REPOSITORY, "node_modules", "typescript", "bin", "tsc");
    await run(
      process.execPath,
      [tsc, "-p", "tsconfig.build.json", "--outDir", outDir, "--declaration", "false", "--declarationMap", "false", "--sourceMap", "false"],
      { cwd: repository }
    );
  }
  // the repository's package.json makes its .js files ES modules; this folder needs its own
  writeFileSync(path.join(outDir, "package.json"), JSON.stringify({ type: "module" }));
}

async function freshProcess(entry: string, isolation: "process" | "in-process"): Promise<ColdSample> {
  const { stdout } = await run(
    process.execPath,
    ["--no-node-snapshot", "--input-type=module", "-e", CHILD_SCRIPT, entry, isolation],
    { cwd: REPOSITORY, env: { ...process.env, NODE_OPTIONS: "" } }
  );
  return JSON.parse(stdout) as ColdSample;
}

/**
 * The floor of process isolation's first cell: a child process started as
 * the worker is (same flags, an ES module, an IPC channel) that sends one
 * message and does nothing else.
 */
async function bareChild(file: string): Promise<number> {
  const started = performance.now();
  const child = fork(file, [], { execArgv: ["--no-node-snapshot"], stdio: ["ignore", "ignore", "inherit", "ipc"], serialization: "json" });
  try {
    await once(child, "message");
    return performance.now() - started;
  } finally {
    child.kill();
  }
}

/**
 * Runs alone, e.g. to compare another checkout:
 * `node --import tsx bench/cold-start.ts [--quick] [--repository <dir>]` prints the table.
 */
if (process.argv[1]?.endsWith("cold-start.ts")) {
  const at = process.argv.indexOf("--repository");
  const repository = at > 0 ? process.argv[at + 1] : undefined;
  const options = process.argv.includes("--quick") ? COLD_START_QUICK : COLD_START_FULL;
  runColdStart({ ...options, ...(repository !== undefined && { repository }) }).then(
    (figures) => process.stdout.write(`${formatTable(figures)}\n`),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    }
  );
}
