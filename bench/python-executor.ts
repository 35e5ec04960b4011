/**
 * Goal 4, the Python executor: a cell's round trip through JupyterExecutor
 * beside a minimal raw Jupyter protocol client (REST to start a kernel, one
 * WebSocket, `execute_request` until both `execute_reply` and `status: idle`)
 * against the same local jupyter-server, alternating between the two. Then a
 * new session's first cell on a warm kernel (`warmKernels: 1`) beside one
 * whose kernel starts on demand.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { JupyterExecutor, startLocalJupyter } from "../src/executors/jupyter/index.js";
import { figure, median, sampleSideBySide, type BenchFigure } from "./stats.js";

const GROUP = "Python executor";
export const PYTHON_RATIO_GOAL = 1.3;

export interface PythonExecutorOptions {
  rounds: number;
  runsPerRound: number;
  warmupRuns: number;
  /** New sessions timed on each side for the warm-kernel figure. */
  newSessions: number;
}
export const PYTHON_EXECUTOR_FULL: PythonExecutorOptions = { rounds: 10, runsPerRound: 20, warmupRuns: 20, newSessions: 6 };
export const PYTHON_EXECUTOR_QUICK: PythonExecutorOptions = { rounds: 2, runsPerRound: 5, warmupRuns: 3, newSessions: 2 };
/** Time a warm kernel's replacement gets to start before the next new session (a start is ~1 s here). */
const WARM_REFILL_WAIT_MS = 2_500;

/** The least a client can do to run a cell: one kernel, one socket, one message out. */
class RawKernelClient {
  readonly #socket: WebSocket;
  readonly #session = randomUUID();
  readonly #pending = new Map<string, { reply: boolean; idle: boolean; done: () => void }>();

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on("message", (data) => {
      const message = JSON.parse(data.toString()) as {
        msg_type?: string;
        header: { msg_type: string };
        parent_header: { msg_id?: string };
        content: { execution_state?: string };
      };
      const waiting = this.#pending.get(message.parent_header.msg_id ?? "");
      if (waiting === undefined) return;
      if (message.header.msg_type === "execute_reply") waiting.reply = true;
      if (message.header.msg_type === "status" && message.content.execution_state === "idle") waiting.idle = true;
      if (waiting.reply && waiting.idle) waiting.done();
    });
  }

  static async open(baseUrl: string, token: string, kernelId: string): Promise<RawKernelClient> {
    const url = `${baseUrl.replace(/^http/, "ws").replace(/\/$/, "")}/api/kernels/${kernelId}/channels?session_id=${randomUUID()}`;
    const socket = new WebSocket(url, { headers: { Authorization: `token ${token}` } });
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    return new RawKernelClient(socket);
  }

  execute(code: string): Promise<void> {
    const id = randomUUID();
    const done = new Promise<void>((resolve) => {
      this.#pending.set(id, { reply: false, idle: false, done: resolve });
    });
    this.#socket.send(
      JSON.stringify({
        channel: "shell",
        header: {
          msg_id: id,
          session: this.#session,
          username: "bench",
          date: new Date().toISOString(),
          msg_type: "execute_request",
          version: "5.3",
        },
        parent_header: {},
        metadata: {},
        content: { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
      })
    );
    return done.finally(() => this.#pending.delete(id));
  }

  close(): void {
    this.#socket.close();
  }
}

async function startKernel(baseUrl: string, token: string): Promise<string> {
  const response = await fetch(new URL("api/kernels", baseUrl), {
    method: "POST",
    headers: { Authorization: `token ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name: "python3" }),
  });
  if (!response.ok) throw new Error(`POST /api/kernels: ${response.status}`);
  return ((await response.json()) as { id: string }).id;
}

export async function runPythonExecutor(options: PythonExecutorOptions): Promise<BenchFigure[]> {
  const server = await startLocalJupyter();
  const executor = new JupyterExecutor({ baseUrl: server.baseUrl, token: server.token });
  let raw: RawKernelClient | undefined;
  try {
    raw = await RawKernelClient.open(server.baseUrl, server.token, await startKernel(server.baseUrl, server.token));
    const client = raw;
    const check = await executor.execute({ code: "1+1", sessionId: "bench" });
    if (check.value !== "2") throw new Error(`JupyterExecutor returned ${JSON.stringify(check)}`);
    for (let index = 0; index < options.warmupRuns; index += 1) {
      await executor.execute({ code: "1+1", sessionId: "bench" });
      await client.execute("1+1");
    }
    const measured = await sampleSideBySide(
      options.rounds,
      options.runsPerRound,
      () => executor.execute({ code: "1+1", sessionId: "bench" }),
      () => client.execute("1+1")
    );
    const firstCells = await timeNewSessions(server.baseUrl, server.token, options.newSessions);
    return [
      figure({
        group: GROUP,
        name: "cell round trip `1+1` (median)",
        value: measured.a,
        unit: "ms",
        baseline: { name: "raw protocol client, same server", value: measured.b },
        goal: { of: "ratio", max: PYTHON_RATIO_GOAL },
      }),
      figure({
        group: GROUP,
        name: "new session's first cell, warm kernel (`warmKernels: 1`, median)",
        value: firstCells.warm,
        unit: "ms",
        baseline: { name: "kernel started on demand", value: firstCells.cold },
      }),
    ];
  } finally {
    raw?.close();
    await executor.close();
    await server.stop();
  }
}

/** A new session's first cell with and without a warm kernel, alternating; the medians in ms. */
async function timeNewSessions(baseUrl: string, token: string, sessions: number): Promise<{ warm: number; cold: number }> {
  const warm = new JupyterExecutor({ baseUrl, token, warmKernels: 1 });
  const cold = new JupyterExecutor({ baseUrl, token });
  const samples = { warm: [] as number[], cold: [] as number[] };
  try {
    for (let run = 0; run < sessions; run += 1) {
      await new Promise((resolve) => setTimeout(resolve, WARM_REFILL_WAIT_MS));
      for (const [side, executor] of [["warm", warm], ["cold", cold]] as const) {
        const started = performance.now();
        const result = await executor.execute({ sessionId: `new-${run}`, code: "1+1" });
        if (result.value !== "2") throw new Error(`JupyterExecutor returned ${JSON.stringify(result)}`);
        samples[side].push(performance.now() - started);
      }
    }
  } finally {
    await Promise.all([warm.close(), cold.close()]);
  }
  return { warm: median(samples.warm), cold: median(samples.cold) };
}
