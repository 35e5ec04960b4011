import { spawnSync } from "node:child_process";
import { runApprovalBench } from "../../bench/approval.js";
import { runCliOverhead } from "../../bench/cli-overhead.js";
import { runColdStart } from "../../bench/cold-start.js";
import { runContextWindowBench } from "../../bench/context-window.js";
import { runPythonSandboxBench } from "../../bench/python-sandbox.js";
import { formatSuite, machineInfo, type SuiteResult } from "../../bench/index.js";
import { runJsExecutor } from "../../bench/js-executor.js";
import { countTokens, openAiToolsPayload, runPromptSize } from "../../bench/prompt-size.js";
import { runPythonExecutor } from "../../bench/python-executor.js";
import { runScaleWorkerProcess, scaleFigures } from "../../bench/scale.js";
import { figure, formatTable, median, percentile, type BenchFigure } from "../../bench/stats.js";
import { runCheckpointWrites, runStepOverhead } from "../../bench/step-overhead.js";
import { createToolCatalogue } from "../../bench/tool-catalogue.js";

// A smoke test of the benchmark suite with tiny counts: it checks the shape
// of what each benchmark reports, never the timings.

function expectFigures(figures: BenchFigure[], group: string, count: number): void {
  expect(figures).toHaveLength(count);
  for (const item of figures) {
    expect(item.group).toBe(group);
    expect(item.name).not.toBe("");
    expect(Number.isFinite(item.value)).toBe(true);
    expect(item.value).toBeGreaterThanOrEqual(0);
    if (item.baseline !== undefined && item.baseline.value > 0) {
      expect(item.ratio).toBeCloseTo(item.value / item.baseline.value, 10);
    }
    if (item.goal !== undefined) expect(typeof item.pass).toBe("boolean");
  }
}

describe("the benchmark suite's entry", () => {
  it("loads as an ES module, as `npm run bench` runs it (jest runs these files as CommonJS)", () => {
    const loaded = spawnSync(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", 'await import("./bench/index.ts"); console.log("loaded")'],
      { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "--no-node-snapshot" } }
    );
    expect(loaded.stderr).toBe("");
    expect(loaded.stdout.trim()).toBe("loaded");
  }, 60_000);
});

describe("benchmark statistics", () => {
  it("computes medians, percentiles, ratios and goals", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
    const met = figure({ group: "g", name: "n", value: 1, unit: "ms", baseline: { name: "b", value: 2 }, goal: { of: "ratio", max: 0.5 } });
    expect(met.ratio).toBe(0.5);
    expect(met.pass).toBe(true);
    const missed = figure({ group: "g", name: "n", value: 4, unit: "ms", goal: { of: "value", max: 3 } });
    expect(missed.pass).toBe(false);
    const atLeast = figure({ group: "g", name: "n", value: 78, unit: "per s", baseline: { name: "b", value: 100 }, goal: { of: "ratio", min: 0.8 } });
    expect(atLeast.pass).toBe(false);
    expect(figure({ ...atLeast, value: 80 }).pass).toBe(true);
    const table = formatTable([met, missed, atLeast]);
    expect(table.split("\n")).toHaveLength(5);
    expect(table).toContain("ratio ≥ 0.8");
    expect(table).toContain("0.50×");
    expect(table).toContain("**no**");
  });

  it("counts tokens with the bundled o200k_base ranks", () => {
    expect(countTokens("hello world")).toBe(2);
    const payload = JSON.parse(openAiToolsPayload(createToolCatalogue(2))) as { type: string }[];
    expect(payload.map((entry) => entry.type)).toEqual(["function", "function"]);
  });
});

describe("benchmark suite with tiny counts", () => {
  it("step overhead", async () => {
    const figures = await runStepOverhead({ rounds: 1, runsPerRound: 2, warmupRuns: 1 });
    expectFigures(figures, "step overhead", 3);
    expect(figures[0]?.baseline?.name).toContain("createReactAgent");
  });

  it("checkpoint writes per step", async () => {
    const writes = await runCheckpointWrites();
    expectFigures([writes], "step overhead", 1);
    expect(writes.unit).toBe("KB");
    expect(writes.baseline?.value).toBeGreaterThan(0);
  });

  it("JavaScript executor", async () => {
    const figures = await runJsExecutor({ warmupRuns: 1, runs: 3, freshSessionRuns: 2, loopCalls: 5, loopRuns: 1 });
    // eight figures for each isolation mode, the bare IPC floor, and the worker start with and without a head start
    expectFigures(figures, "JavaScript executor", 19);
    expect(figures.filter((item) => item.name.includes("isolation: in-process"))).toHaveLength(8);
    const toolLoop = figures.find((item) => item.name.startsWith("LangChain tool (tool()) in a loop"));
    expect(toolLoop?.baseline?.name).toBe("a plain host function, same loop");
  });

  it("bounded context", async () => {
    const figures = await runContextWindowBench({ steps: 5 });
    expectFigures(figures, "Bounded context", 2);
    // Past the window, shortened observations cost less than whole ones.
    expect(figures[0]!.value).toBeLessThan(figures[0]!.baseline!.value);
  });

  it("tool approvals", async () => {
    const figures = await runApprovalBench({ runs: 1 });
    expectFigures(figures, "Tool approvals", 2);
    expect(figures.map((item) => item.baseline?.name)).toEqual(["the same turn, no gate", "resume in the process that paused"]);
  });

  it("Python sandbox against a plain local jupyter-server", async () => {
    const figures = await runPythonSandboxBench({ kernelStarts: 1, cells: 2 });
    expectFigures(figures, "Python sandbox", 2);
    expect(figures.every((item) => item.baseline?.name === "the same without the sandbox")).toBe(true);
  }, 120_000);

  it("CLI run, the built bin against a replay server", async () => {
    const figures = await runCliOverhead(true);
    expectFigures(figures, "CLI run", 5);
    expect(figures[0]?.baseline?.value).toBeGreaterThan(0);
  }, 180_000);

  it("cold start, the built package in new processes", async () => {
    const figures = await runColdStart({ processes: 1 });
    expect(figures.length).toBeGreaterThanOrEqual(4);
    expectFigures(figures, "JavaScript executor, cold start (built package, new process)", figures.length);
  }, 180_000);

  it("prompt size", async () => {
    const figures = await runPromptSize({ toolCounts: [4] });
    expectFigures(figures, "prompt size (o200k_base)", 5);
    expect(figures[0]?.value).toBeGreaterThan(0);
  });

  it("scale, in a child process", async () => {
    const result = await runScaleWorkerProcess({ sessions: 3, executions: 20 });
    expect(result.sessions).toBe(3);
    expect(result.rssDuringExecutionsMb).toHaveLength(10);
    expect(result.codeact.throughputPerS).toBeGreaterThan(0);
    expect(result.codeactWarm.throughputPerS).toBeGreaterThan(0);
    expect(result.reactWarm.throughputPerS).toBeGreaterThan(0);
    expectFigures(scaleFigures(result).map((item) => ({ ...item, value: Math.abs(item.value) })), "scale", 8);
  }, 120_000);

  it("Python executor against a local jupyter-server", async () => {
    const figures = await runPythonExecutor({ rounds: 1, runsPerRound: 2, warmupRuns: 1, newSessions: 1 });
    expectFigures(figures, "Python executor", 2);
  }, 120_000);

  it("formats a run with the machine it ran on", () => {
    const result: SuiteResult = {
      startedAt: new Date().toISOString(),
      quick: true,
      machine: machineInfo(),
      figures: [figure({ group: "g", name: "n", value: 1, unit: "ms" })],
      failures: [{ key: "python", error: "no jupyter-server" }],
    };
    const text = formatSuite(result);
    expect(text).toContain(`${result.machine.cores} cores`);
    expect(text).toContain("| g | n |");
    expect(text).toContain("python did not run: no jupyter-server");
  });
});
