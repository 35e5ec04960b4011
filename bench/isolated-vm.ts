/**
 * Latency of the isolated-vm executor beside `node:vm` (same code, same run)
 * as the floor. node:vm is only a timing baseline, never a sandbox.
 *
 *   NODE_OPTIONS=--no-node-snapshot npx tsx bench/isolated-vm.ts
 */
import { performance } from "node:perf_hooks";
import vm from "node:vm";
import { IsolatedVmExecutor } from "../src/executors/isolated-vm/index.js";
import type { HostFunction } from "../src/executors/types.js";

const WARMUP_RUNS = 20;
const RUNS = 200;
const FRESH_SESSION_RUNS = 50;
const LOOP_CALLS = 1_000;
const LOOP_RUNS = 15;

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function measure(runs: number, action: (index: number) => Promise<unknown> | unknown): Promise<number> {
  const samples: number[] = [];
  for (let index = 0; index < runs; index += 1) {
    const started = performance.now();
    await action(index);
    samples.push(performance.now() - started);
  }
  return median(samples);
}

async function main(): Promise<void> {
  const executor = new IsolatedVmExecutor();
  const noop: HostFunction = async () => 1;
  const tools = { noop };
  const loopCode = `let sum = 0; for (let i = 0; i < ${LOOP_CALLS}; i++) sum += await noop(); sum`;

  // floor: node:vm with the same code and an equivalent async host function
  const floorContext = vm.createContext({ noop });
  const floor = (code: string): Promise<unknown> =>
    Promise.resolve(vm.runInContext(`(async () => { return (${code}) })()`, floorContext));
  const floorLoop = (): Promise<unknown> =>
    Promise.resolve(
      vm.runInContext(
        `(async () => { let sum = 0; for (let i = 0; i < ${LOOP_CALLS}; i++) sum += await noop(); return sum })()`,
        floorContext
      )
    );

  for (let index = 0; index < WARMUP_RUNS; index += 1) {
    await executor.execute({ code: "1+1", sessionId: "warm", tools });
    await executor.execute({ code: "await noop()", sessionId: "warm", tools });
    await floor("1+1");
  }

  const tiny = await measure(RUNS, () => executor.execute({ code: "1+1", sessionId: "warm", tools }));
  const tinyFloor = await measure(RUNS, () => floor("1+1"));
  const fresh = await measure(FRESH_SESSION_RUNS, (index) =>
    executor.execute({ code: "1+1", sessionId: `fresh-${index}`, tools })
  );
  const freshFloor = await measure(FRESH_SESSION_RUNS, () =>
    Promise.resolve(vm.runInContext("(async () => 1+1)()", vm.createContext({ noop })))
  );
  const oneTool = await measure(RUNS, () => executor.execute({ code: "await noop()", sessionId: "warm", tools }));
  const oneToolFloor = await measure(RUNS, () => floor("await noop()"));
  const loop = await measure(LOOP_RUNS, () => executor.execute({ code: loopCode, sessionId: "warm", tools }));
  const loopFloor = await measure(LOOP_RUNS, floorLoop);
  await executor.close();

  const rows: [string, number, number][] = [
    ["warm tiny cell (1+1)", tiny, tinyFloor],
    ["fresh session, first execute", fresh, freshFloor],
    ["one tool call (cell minus tiny cell)", oneTool - tiny, oneToolFloor - tinyFloor],
    [`tool call in a loop (${LOOP_CALLS} calls / ${LOOP_CALLS})`, loop / LOOP_CALLS, loopFloor / LOOP_CALLS],
  ];
  const format = (ms: number): string => `${ms.toFixed(4)} ms`;
  console.log("| measurement | isolated-vm (median) | node:vm floor (median) | ratio |");
  console.log("|---|---|---|---|");
  for (const [label, measured, floorMs] of rows) {
    const ratio = floorMs > 0 ? `${(measured / floorMs).toFixed(1)}x` : "n/a";
    console.log(`| ${label} | ${format(measured)} | ${format(floorMs)} | ${ratio} |`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
