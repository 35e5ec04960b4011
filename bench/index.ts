/**
 * The benchmark suite: every figure beside its baseline, measured in one run.
 *
 *   npm run bench                 full counts (several minutes)
 *   npm run bench -- --quick      small counts, a smoke run
 *   npm run bench -- --only=prompt,js
 *
 * Prints a Markdown table and writes bench/results/latest.json.
 */
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { JS_EXECUTOR_FULL, JS_EXECUTOR_QUICK, runJsExecutor } from "./js-executor.js";
import { PROMPT_SIZE_FULL, PROMPT_SIZE_QUICK, runPromptSize } from "./prompt-size.js";
import { PYTHON_EXECUTOR_FULL, PYTHON_EXECUTOR_QUICK, runPythonExecutor } from "./python-executor.js";
import { MCP_FULL, MCP_QUICK, runMcpBench } from "./mcp.js";
import { APPROVAL_FULL, APPROVAL_QUICK, runApprovalBench } from "./approval.js";
import { runCliOverhead } from "./cli-overhead.js";
import { COLD_START_FULL, COLD_START_QUICK, runColdStart } from "./cold-start.js";
import { CONTEXT_WINDOW_FULL, CONTEXT_WINDOW_QUICK, runContextWindowBench } from "./context-window.js";
import { PYTHON_SANDBOX_FULL, PYTHON_SANDBOX_QUICK, runPythonSandboxBench } from "./python-sandbox.js";
import { runScale, SCALE_FULL, SCALE_QUICK } from "./scale.js";
import { runSessionTravel, SESSION_TRAVEL_FULL, SESSION_TRAVEL_QUICK } from "./session-travel.js";
import { formatTable, type BenchFigure } from "./stats.js";
import { runCheckpointWrites, runStepOverhead, STEP_OVERHEAD_FULL, STEP_OVERHEAD_QUICK } from "./step-overhead.js";

/** A benchmark of the suite: its key for `--only`, and how to run it at either size. */
export interface SuiteBenchmark {
  key: string;
  title: string;
  run(quick: boolean): Promise<BenchFigure[]>;
}

export const BENCHMARKS: readonly SuiteBenchmark[] = [
  {
    key: "step",
    title: "step overhead",
    run: async (quick) => [
      ...(await runStepOverhead(quick ? STEP_OVERHEAD_QUICK : STEP_OVERHEAD_FULL)),
      await runCheckpointWrites(),
    ],
  },
  { key: "js", title: "JavaScript executor", run: (quick) => runJsExecutor(quick ? JS_EXECUTOR_QUICK : JS_EXECUTOR_FULL) },
  { key: "travel", title: "sessions that travel", run: (quick) => runSessionTravel(quick ? SESSION_TRAVEL_QUICK : SESSION_TRAVEL_FULL) },
  { key: "approval", title: "tool approvals", run: (quick) => runApprovalBench(quick ? APPROVAL_QUICK : APPROVAL_FULL) },
  { key: "mcp", title: "MCP servers", run: (quick) => runMcpBench(quick ? MCP_QUICK : MCP_FULL) },
  { key: "scale", title: "scale", run: (quick) => runScale(quick ? SCALE_QUICK : SCALE_FULL) },
  { key: "python", title: "Python executor", run: (quick) => runPythonExecutor(quick ? PYTHON_EXECUTOR_QUICK : PYTHON_EXECUTOR_FULL) },
  { key: "context", title: "bounded context", run: (quick) => runContextWindowBench(quick ? CONTEXT_WINDOW_QUICK : CONTEXT_WINDOW_FULL) },
  { key: "sandbox", title: "Python sandbox", run: (quick) => runPythonSandboxBench(quick ? PYTHON_SANDBOX_QUICK : PYTHON_SANDBOX_FULL) },
  { key: "prompt", title: "prompt size", run: (quick) => runPromptSize(quick ? PROMPT_SIZE_QUICK : PROMPT_SIZE_FULL) },
  { key: "cold", title: "cold start", run: (quick) => runColdStart(quick ? COLD_START_QUICK : COLD_START_FULL) },
  { key: "cli", title: "CLI run", run: (quick) => runCliOverhead(quick) },
];

/** The machine a run was on, for the table's caption. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  platform: string;
  node: string;
  loadAverage: number[];
}

/** What bench/results/latest.json holds. */
export interface SuiteResult {
  startedAt: string;
  quick: boolean;
  machine: MachineInfo;
  figures: BenchFigure[];
  /** Benchmarks that could not run (say, no jupyter-server), with why. */
  failures: { key: string; error: string }[];
}

export function machineInfo(): MachineInfo {
  return {
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    platform: `${os.type()} ${os.release()}`,
    node: process.version,
    loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
  };
}

/** Runs the chosen benchmarks one after another; a failing one is recorded, not fatal. */
export async function runSuite(options: {
  quick: boolean;
  only?: readonly string[];
  onProgress?: (message: string) => void;
}): Promise<SuiteResult> {
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const figures: BenchFigure[] = [];
  const failures: SuiteResult["failures"] = [];
  for (const benchmark of BENCHMARKS) {
    if (options.only !== undefined && !options.only.includes(benchmark.key)) continue;
    options.onProgress?.(`running ${benchmark.title}…`);
    try {
      figures.push(...(await benchmark.run(options.quick)));
    } catch (error) {
      failures.push({ key: benchmark.key, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { startedAt, quick: options.quick, machine, figures, failures };
}

/** The run as Markdown: caption with the machine, the table, failures. */
export function formatSuite(result: SuiteResult): string {
  const { machine } = result;
  const lines = [
    `${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGb} GB, ${machine.platform}, Node ${machine.node}` +
      ` (load average at start ${machine.loadAverage.join(", ")})${result.quick ? ", --quick counts" : ""}`,
    "",
    formatTable(result.figures),
  ];
  for (const failure of result.failures) lines.push("", `${failure.key} did not run: ${failure.error}`);
  return lines.join("\n");
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const only = args.find((arg) => arg.startsWith("--only="))?.slice("--only=".length).split(",");
  const result = await runSuite({
    quick,
    ...(only !== undefined && { only }),
    onProgress: (message) => console.error(message),
  });
  console.log(formatSuite(result));
  const directory = join(process.cwd(), "bench", "results");
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, "latest.json"), `${JSON.stringify(result, null, 2)}\n`);
  console.error(`wrote ${join("bench", "results", "latest.json")}`);
  process.exitCode = result.failures.length > 0 ? 1 : 0;
}

if (process.argv[1]?.endsWith(join("bench", "index.ts"))) {
  main()
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    })
    // Jupyter and LangChain leave handles open; the results are written.
    .finally(() => setTimeout(() => process.exit(), 100).unref());
}
