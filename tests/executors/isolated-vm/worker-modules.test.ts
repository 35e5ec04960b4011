/**
 * The worker process of `isolation: "process"` starts before the first cell
 * can run, so it loads only what runs cells: the host transforms each cell,
 * and neither the transform (sucrase, acorn, magic-string) nor the
 * supervisor may come back into the worker's imports.
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { WARM_UP_CODE, WARM_UP_FILENAME, WARM_UP_SCRIPT } from "../../../src/executors/isolated-vm/session-pool.js";
import { prepareCell, transformCell } from "../../../src/executors/isolated-vm/transform.js";
import type { HostMessage, WorkerMessage } from "../../../src/executors/isolated-vm/worker-protocol.js";

const FOLDER = path.resolve(__dirname, "../../../src/executors/isolated-vm");
const FORBIDDEN = [
  /\/node_modules\/(sucrase|acorn|magic-string)\//,
  /^require:(sucrase|acorn|magic-string)(\/|$)/,
  /\/isolated-vm\/(transform|process-supervisor|isolated-vm-executor|worker-process)\.[jt]s$/,
];

/** Runs the worker entry with a module log, sends it `messages` in turn (each answered), and returns what it loaded. */
async function workerModules(messages: HostMessage[]): Promise<{ loaded: string[]; replies: WorkerMessage[] }> {
  const folder = mkdtempSync(path.join(os.tmpdir(), "codeact-worker-modules-"));
  const logFile = path.join(folder, "modules.log");
  try {
    const tsx = pathToFileURL(createRequire(__filename).resolve("tsx")).href;
    const child = fork(path.join(FOLDER, "process-worker.ts"), [], {
      execArgv: ["--no-node-snapshot", "--import", tsx, "--import", pathToFileURL(path.join(__dirname, "fixtures", "module-log.mjs")).href],
      env: { ...process.env, NODE_OPTIONS: "", CODEACT_MODULE_LOG: logFile },
      stdio: ["ignore", "ignore", "inherit", "ipc"],
      serialization: "json",
    });
    const replies: WorkerMessage[] = [];
    const next = async (): Promise<WorkerMessage> => {
      const [message] = (await once(child, "message")) as [WorkerMessage];
      replies.push(message);
      return message;
    };
    for (const message of messages) {
      child.send(message);
      if (message.type === "init") await next();
      if (message.type === "execute") while ((await next()).type !== "result");
    }
    const exited = once(child, "exit");
    child.send({ type: "close" } satisfies HostMessage);
    await exited;
    return { loaded: readFileSync(logFile, "utf8").split("\n").filter(Boolean), replies };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

describe("the worker process's modules", () => {
  it("runs a host-transformed cell without loading the transform or the supervisor", async () => {
    const prepared = prepareCell("const n: number = 41;\nn + 1", 1);
    if (!prepared.ok) throw new Error(prepared.error.message);
    const { loaded, replies } = await workerModules([
      {
        type: "init",
        options: { timeoutMs: 5_000, memoryLimitMb: 64, maxOutputChars: 1_000, idleTimeoutMs: 60_000, maxVariableChars: 10_000, prewarmSessions: 1 },
      },
      { type: "execute", id: 1, sessionId: "s", cell: prepared.cell, tools: [], definitions: { code: [{ name: "f", source: "function f() { return 1 }" }] } },
    ]);
    const result = replies.find((reply) => reply.type === "result");
    expect(result?.type === "result" && result.result.value).toBe("42");
    // the log works: it saw the runner and the native module
    expect(loaded.some((line) => line.endsWith("/isolated-vm/cell-runner.ts"))).toBe(true);
    expect(loaded.some((line) => /isolated-vm/.test(line) && /require:/.test(line))).toBe(true);
    expect(loaded.filter((line) => FORBIDDEN.some((pattern) => pattern.test(line)))).toEqual([]);
  });

  it("keeps the pool's warm-up cell as the transform makes it", () => {
    const transformed = transformCell(WARM_UP_CODE, WARM_UP_FILENAME);
    expect(transformed.ok && transformed.cell.script).toBe(WARM_UP_SCRIPT);
  });
});
