/**
 * What the Python sandbox costs: a new session's first cell (kernel start
 * included) and a tiny cell in a warm session, on a sandboxed local server
 * beside a plain one, alternating between the two.
 */
import { performance } from "node:perf_hooks";
import { JupyterExecutor, startLocalJupyter } from "../src/executors/jupyter/index.js";
import { figure, median, type BenchFigure } from "./stats.js";

const GROUP = "Python sandbox";

export interface PythonSandboxBenchOptions {
  kernelStarts: number;
  cells: number;
}
export const PYTHON_SANDBOX_FULL: PythonSandboxBenchOptions = { kernelStarts: 10, cells: 100 };
export const PYTHON_SANDBOX_QUICK: PythonSandboxBenchOptions = { kernelStarts: 2, cells: 10 };

export async function runPythonSandboxBench(options: PythonSandboxBenchOptions): Promise<BenchFigure[]> {
  const [plain, sandboxed] = await Promise.all([startLocalJupyter(), startLocalJupyter({ sandbox: true })]);
  const executors = [plain, sandboxed].map(
    (server) => new JupyterExecutor({ baseUrl: server.baseUrl, token: server.token })
  ) as [JupyterExecutor, JupyterExecutor];
  try {
    const time = async (executor: JupyterExecutor, sessionId: string, code: string): Promise<number> => {
      const started = performance.now();
      const result = await executor.execute({ sessionId, code });
      if (result.error) throw new Error(`${result.error.name}: ${result.error.message}`);
      return performance.now() - started;
    };
    const starts: [number[], number[]] = [[], []];
    for (let run = 0; run < options.kernelStarts; run += 1) {
      for (const side of [0, 1] as const) {
        starts[side].push(await time(executors[side], `start-${run}`, "1 + 1"));
        await executors[side].forgetSession(`start-${run}`);
      }
    }
    const cells: [number[], number[]] = [[], []];
    for (const side of [0, 1] as const) await time(executors[side], "warm", "x = 0");
    for (let run = 0; run < options.cells; run += 1) {
      for (const side of [0, 1] as const) cells[side].push(await time(executors[side], "warm", "x += 1"));
    }
    return [
      figure({
        group: GROUP,
        name: "new session's first cell, kernel start included, sandboxed (median)",
        value: median(starts[1]),
        unit: "ms",
        baseline: { name: "the same without the sandbox", value: median(starts[0]) },
      }),
      figure({
        group: GROUP,
        name: "tiny cell in a warm sandboxed kernel (median)",
        value: median(cells[1]),
        unit: "ms",
        baseline: { name: "the same without the sandbox", value: median(cells[0]) },
      }),
    ];
  } finally {
    await Promise.all(executors.map((executor) => executor.close()));
    await Promise.all([plain.stop(), sandboxed.stop()]);
  }
}
