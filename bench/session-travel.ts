/**
 * Sessions that travel: what keeping a session's code costs. A session with
 * 20 top-level functions, 2 classes and 2 instances is restored into a new
 * isolate with its definitions, beside the same session restored with its
 * data alone (what a restart gave before definitions were kept), and the
 * definitions' size in graph state.
 */
import { performance } from "node:perf_hooks";
import { IsolatedVmExecutor } from "../src/executors/isolated-vm/index.js";
import type { ExecuteResult } from "../src/executors/types.js";
import { figure, median, type BenchFigure } from "./stats.js";

const GROUP = "Sessions that travel";

export interface SessionTravelOptions {
  runs: number;
}

export const SESSION_TRAVEL_FULL: SessionTravelOptions = { runs: 40 };
export const SESSION_TRAVEL_QUICK: SessionTravelOptions = { runs: 5 };

const SESSION_CODE = [
  ...Array.from({ length: 20 }, (_, i) => `function helper${i}(x) { return x * ${i} + helper${(i + 1) % 20}.length; }`),
  "class Shape { constructor(w, h) { this.w = w; this.h = h } area() { return this.w * this.h } }",
  "class Square extends Shape { constructor(side) { super(side, side) } }",
  "const shapes = [new Shape(1, 2), new Square(3)];",
  "const data = { rows: [1, 2, 3], name: 'x' };",
].join("\n");

export async function runSessionTravel(options: SessionTravelOptions): Promise<BenchFigure[]> {
  const source = new IsolatedVmExecutor({ isolation: "in-process" });
  let saved: ExecuteResult;
  try {
    saved = await source.execute({ sessionId: "source", code: SESSION_CODE });
  } finally {
    await source.close();
  }
  const restoreOnce = async (withDefinitions: boolean): Promise<number> => {
    const executor = new IsolatedVmExecutor({ isolation: "in-process" });
    try {
      await executor.execute({ sessionId: "warm", code: "1" });
      const started = performance.now();
      const result = await executor.execute({
        sessionId: "restored",
        code: withDefinitions ? "shapes[1].area() + helper3(1)" : "data.rows.length",
        ...(saved.variables && { variables: saved.variables }),
        ...(withDefinitions && saved.definitions && { definitions: saved.definitions }),
      });
      if (result.error) throw new Error(`restore failed: ${result.error.message}`);
      return performance.now() - started;
    } finally {
      await executor.close();
    }
  };
  const full: number[] = [];
  const dataOnly: number[] = [];
  // interleaved, so both see the same machine load
  for (let run = 0; run < options.runs; run += 1) {
    dataOnly.push(await restoreOnce(false));
    full.push(await restoreOnce(true));
  }
  const dataOnlyMs = median(dataOnly);
  return [
    figure({
      group: GROUP,
      name: "new session restored with 20 functions, 2 classes, 2 instances (first cell, median)",
      value: median(full),
      unit: "ms",
      baseline: { name: "the same session's data alone", value: dataOnlyMs },
    }),
    figure({
      group: GROUP,
      name: "definitions in graph state (20 functions, 2 classes; written only in a step that changes them)",
      value: JSON.stringify(saved.definitions ?? null).length / 1024,
      unit: "KB",
      baseline: { name: "the variables", value: JSON.stringify(saved.variables ?? {}).length / 1024 },
    }),
  ];
}
