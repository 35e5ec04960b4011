/**
 * Shared pieces of the benchmark suite: timing, statistics and the figure
 * each benchmark reports (a value beside its baseline, with the goal).
 */
import { performance } from "node:perf_hooks";

/** What a figure is measured in. */
export type FigureUnit = "ms" | "tokens" | "MB" | "KB" | "per s" | "count";

/** A goal: the figure's value, or its ratio to the baseline, at most `max`. */
/** A goal: the value (or ratio to the baseline) at most `max`, or, for figures where more is better (throughput), at least `min`. */
export type FigureGoal = { of: "value" | "ratio"; max: number; min?: undefined } | { of: "value" | "ratio"; min: number; max?: undefined };

/** One line of the results table. */
export interface BenchFigure {
  /** The benchmark it belongs to, e.g. `"step overhead"`. */
  group: string;
  /** What was measured, e.g. `"CodeAct step (median)"`. */
  name: string;
  value: number;
  unit: FigureUnit;
  /** The same work done the reference way, in the same run. */
  baseline?: { name: string; value: number };
  /** `value / baseline.value`, when there is a baseline. */
  ratio?: number;
  goal?: FigureGoal;
  /** Whether the goal was met; absent without a goal. */
  pass?: boolean;
}

/** Builds a figure, computing its ratio and whether it meets its goal. */
export function figure(
  fields: Omit<BenchFigure, "ratio" | "pass">
): BenchFigure {
  const ratio =
    fields.baseline !== undefined && fields.baseline.value > 0
      ? fields.value / fields.baseline.value
      : undefined;
  const result: BenchFigure = { ...fields };
  if (ratio !== undefined) result.ratio = ratio;
  if (fields.goal !== undefined) {
    const measured = fields.goal.of === "ratio" ? ratio : fields.value;
    const { max, min } = fields.goal;
    result.pass = measured !== undefined && (max !== undefined ? measured <= max : measured >= (min ?? Number.NaN));
  }
  return result;
}

/** The `p`-th percentile (0–100) of `samples`, nearest rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? sorted[middle]!
    : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Runs `action` `runs` times in sequence; returns each run's milliseconds. */
export async function sample(
  runs: number,
  action: (index: number) => unknown
): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < runs; index += 1) {
    const started = performance.now();
    await action(index);
    samples.push(performance.now() - started);
  }
  return samples;
}

/**
 * Median milliseconds of `a` and `b`, measured in alternating rounds so that
 * drift (GC, CPU frequency, JIT) hits both sides alike.
 */
export async function sampleSideBySide(
  rounds: number,
  runsPerRound: number,
  a: (index: number) => unknown,
  b: (index: number) => unknown
): Promise<{ a: number; b: number }> {
  const samplesA: number[] = [];
  const samplesB: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    samplesA.push(...(await sample(runsPerRound, a)));
    samplesB.push(...(await sample(runsPerRound, b)));
  }
  return { a: median(samplesA), b: median(samplesB) };
}

const UNIT_DIGITS: Record<FigureUnit, number> = {
  ms: 3,
  tokens: 0,
  MB: 2,
  KB: 1,
  "per s": 0,
  count: 0,
};

function formatValue(value: number, unit: FigureUnit): string {
  const digits = value !== 0 && Math.abs(value) < 0.01 && unit === "ms" ? 4 : UNIT_DIGITS[unit];
  return `${value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  })} ${unit}`;
}

function formatGoal(goal: FigureGoal | undefined, unit: FigureUnit): string {
  if (goal === undefined) return "";
  const [sign, bound] = goal.max !== undefined ? ["≤", goal.max] : ["≥", goal.min];
  return goal.of === "ratio" ? `ratio ${sign} ${bound}` : `${sign} ${formatValue(bound, unit)}`;
}

/** The figures as a Markdown table. */
export function formatTable(figures: readonly BenchFigure[]): string {
  const lines = [
    "| benchmark | figure | value | baseline | baseline value | ratio | goal | met |",
    "|---|---|---:|---|---:|---:|---|---|",
  ];
  for (const item of figures) {
    lines.push(
      `| ${[
        item.group,
        item.name,
        formatValue(item.value, item.unit),
        item.baseline?.name ?? "",
        item.baseline === undefined ? "" : formatValue(item.baseline.value, item.unit),
        item.ratio === undefined ? "" : `${item.ratio.toFixed(2)}×`,
        formatGoal(item.goal, item.unit),
        item.pass === undefined ? "" : item.pass ? "yes" : "**no**",
      ].join(" | ")} |`
    );
  }
  return lines.join("\n");
}

/** Lets pending timers and I/O run, and collects garbage when exposed. */
export async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
}
