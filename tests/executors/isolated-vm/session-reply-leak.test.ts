import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { IsolatedVmExecutor } from "../../../src/executors/isolated-vm/index.js";

// A long-lived session must not keep each cell's reply alive: racing every call
// against one session-long promise added a reaction to it per call, and each
// reaction held that call's result (issue 7, found by the scale benchmark).

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

async function heapUsedMb(): Promise<number> {
  for (let round = 0; round < 3; round += 1) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  return process.memoryUsage().heapUsed / (1024 * 1024);
}

it("keeps no per-cell memory on the host in a long-lived session", async () => {
  const executor = new IsolatedVmExecutor({ isolation: "in-process" });
  try {
    const cell = (index: number) => executor.execute({ code: `"y".repeat(10000) + ${index}`, sessionId: "long-lived" });
    for (let index = 0; index < 50; index += 1) await cell(index);
    const before = await heapUsedMb();
    for (let index = 50; index < 550; index += 1) expect((await cell(index)).error).toBeUndefined();
    const grown = (await heapUsedMb()) - before;
    // the leak kept ~10 KB a cell here: 500 cells, ~5 MB
    expect(grown).toBeLessThan(1.5);
  } finally {
    await executor.close();
  }
}, 60_000);
