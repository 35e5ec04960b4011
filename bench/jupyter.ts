/**
 * Jupyter executor latency: a tiny cell through JupyterExecutor beside a
 * minimal raw protocol client on the same server, with and without the
 * TCP_NODELAY server config; kernel start time; tool-call round trip.
 *
 *   npx tsx bench/jupyter.ts
 */
import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import {
  JupyterExecutor,
  startLocalJupyter,
  type LocalJupyter,
} from "../src/executors/jupyter/index.js";
import type { HostFunction } from "../src/executors/types.js";

const CELLS = 40;
const WARMUP_CELLS = 5;
const TOOL_CALLS = 200;
const ROUNDS = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The smallest correct client: send execute_request, wait for reply and idle. */
async function rawClientMedianMs(server: LocalJupyter, kernelId: string): Promise<number> {
  const session = randomUUID();
  const url = `${server.baseUrl.replace(/^http/, "ws")}api/kernels/${kernelId}/channels?session_id=${session}`;
  const socket = new WebSocket(url, { headers: { Authorization: `token ${server.token}` } });
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  const runOnce = (): Promise<number> =>
    new Promise((resolve) => {
      const msgId = randomUUID();
      const started = performance.now();
      let reply = false;
      let idle = false;
      const onMessage = (data: WebSocket.RawData): void => {
        const message = JSON.parse(data.toString()) as {
          channel: string;
          header: { msg_type: string };
          parent_header: { msg_id?: string };
          content: { execution_state?: string };
        };
        if (message.parent_header.msg_id !== msgId) return;
        if (message.header.msg_type === "execute_reply") reply = true;
        if (message.header.msg_type === "status" && message.content.execution_state === "idle") idle = true;
        if (reply && idle) {
          socket.off("message", onMessage);
          resolve(performance.now() - started);
        }
      };
      socket.on("message", onMessage);
      socket.send(
        JSON.stringify({
          channel: "shell",
          header: { msg_id: msgId, msg_type: "execute_request", session, username: "bench", date: new Date().toISOString(), version: "5.3" },
          parent_header: {},
          metadata: {},
          content: { code: "x = 1 + 1", silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: false },
        })
      );
    });
  const times: number[] = [];
  for (let index = 0; index < WARMUP_CELLS + CELLS; index++) {
    const elapsed = await runOnce();
    if (index >= WARMUP_CELLS) times.push(elapsed);
  }
  socket.close();
  return median(times);
}

async function measure(tcpNoDelay: boolean): Promise<Record<string, number>> {
  const server = await startLocalJupyter({ tcpNoDelay });
  const executor = new JupyterExecutor({ baseUrl: server.baseUrl, token: server.token });
  try {
    const startedAt = performance.now();
    const first = await executor.execute({ sessionId: "bench", code: "x = 1 + 1" });
    const kernelStartMs = performance.now() - startedAt;
    // Alternate blocks of both clients on the same warm kernel, so both see
    // the same machine load.
    const kernelId = (JSON.parse(first.resumeToken ?? "{}") as { kernelId: string }).kernelId;
    const executorTimes: number[] = [];
    const rawMedians: number[] = [];
    for (let block = 0; block < ROUNDS; block++) {
      for (let index = 0; index < WARMUP_CELLS + CELLS; index++) {
        const cellStarted = performance.now();
        await executor.execute({ sessionId: "bench", code: "x = 1 + 1" });
        if (index >= WARMUP_CELLS) executorTimes.push(performance.now() - cellStarted);
      }
      rawMedians.push(await rawClientMedianMs(server, kernelId));
    }
    const rawMs = median(rawMedians);

    const echo: HostFunction = async (input) => input;
    await executor.execute({ sessionId: "bench", tools: { echo }, code: "echo(n=0)" });
    const toolStarted = performance.now();
    const loop = await executor.execute({
      sessionId: "bench",
      tools: { echo },
      code: `import time\n_t = time.perf_counter()\nfor _i in range(${TOOL_CALLS}):\n    echo(n=_i)\n(time.perf_counter() - _t) * 1000`,
    });
    const toolCellMs = performance.now() - toolStarted;
    if (loop.error) throw new Error(`${loop.error.name}: ${loop.error.message}`);
    return {
      kernelStartMs,
      executorCellMedianMs: median(executorTimes),
      rawClientCellMedianMs: rawMs,
      toolCallMs: Number(loop.value) / TOOL_CALLS,
      toolCellMs,
    };
  } finally {
    await executor.close();
    await server.stop();
  }
}

async function main(): Promise<void> {
  const rows: Record<string, Record<string, number>> = {};
  rows["TCP_NODELAY on"] = await measure(true);
  rows["TCP_NODELAY off"] = await measure(false);
  const format = (value: number | undefined): string => (value === undefined ? "-" : value.toFixed(1));
  console.log(`Jupyter executor (${ROUNDS} x ${CELLS} cells after ${WARMUP_CELLS} warm-up each, same kernel; ${TOOL_CALLS} tool calls in one cell)`);
  console.log("| server config | kernel start + first cell ms | executor tiny cell median ms | raw client tiny cell median ms | tool call ms (in Python) | whole tool cell ms |");
  console.log("|---|---|---|---|---|---|");
  for (const [name, row] of Object.entries(rows)) {
    console.log(
      `| ${name} | ${format(row.kernelStartMs)} | ${format(row.executorCellMedianMs)} | ${format(row.rawClientCellMedianMs)} | ${format(row.toolCallMs)} | ${format(row.toolCellMs)} |`
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
