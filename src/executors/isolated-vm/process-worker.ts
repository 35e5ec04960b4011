/**
 * Entry point of the worker process behind `isolation: "process"`: runs an
 * in-process {@link IsolatedVmExecutor} and serves the host over IPC. Started
 * by `process-supervisor.ts`; never imported by library code.
 *
 * @module
 */
import type { HostFunction } from "../types.js";
import { IsolatedVmExecutor } from "./isolated-vm-executor.js";
import { CATASTROPHIC_WARNING_CODE, type HostMessage, type WorkerMessage } from "./worker-protocol.js";

/** How often the worker reports a changed session count (idle evictions happen on their own). */
const SESSION_REPORT_INTERVAL_MS = 1_000;

let executor: IsolatedVmExecutor | undefined;
let nextCallId = 0;
const aborts = new Map<number, AbortController>();
const toolWaiters = new Map<number, (reply: string) => void>();
let reportedSessions = 0;

function send(message: WorkerMessage): void {
  if (process.connected) process.send?.(message);
}

/** The host parent is gone: nothing can use us, and a wedged isolate would block a normal exit. */
function die(): never {
  process.kill(process.pid, "SIGKILL");
  throw new Error("unreachable");
}

function reportSessions(): void {
  const count = executor?.sessionCount ?? 0;
  if (count === reportedSessions) return;
  reportedSessions = count;
  send({ type: "sessions", count });
}

/** A tool of the cell `id`, as a host function that asks the host over IPC. */
function remoteTool(id: number, name: string): HostFunction {
  return (...args: unknown[]) =>
    new Promise<unknown>((resolve, reject) => {
      const callId = ++nextCallId;
      toolWaiters.set(callId, (reply) => {
        // the same envelope the in-process bridge uses: {"value"}, {} or {"error"}
        const envelope = JSON.parse(reply) as { value?: unknown; error?: { name: string; message: string } };
        if (envelope.error) {
          const error = new Error(envelope.error.message);
          error.name = envelope.error.name;
          reject(error);
        } else {
          resolve(envelope.value);
        }
      });
      send({ type: "tool-call", id, callId, name, argumentsJson: JSON.stringify(args) });
    });
}

async function execute(message: Extract<HostMessage, { type: "execute" }>): Promise<void> {
  if (!executor) throw new Error("worker not initialised");
  const controller = new AbortController();
  aborts.set(message.id, controller);
  const tools: Record<string, HostFunction> = {};
  for (const name of message.tools) tools[name] = remoteTool(message.id, name);
  try {
    const result = await executor.execute({
      code: message.code,
      sessionId: message.sessionId,
      tools,
      ...(message.variables ? { variables: message.variables } : {}),
      signal: controller.signal,
      onOutput: (chunk) => send({ type: "output", id: message.id, chunk }),
    });
    reportedSessions = executor.sessionCount;
    send({ type: "result", id: message.id, result, sessionCount: reportedSessions });
  } catch (error) {
    send({
      type: "failed",
      id: message.id,
      name: error instanceof Error ? error.name : "Error",
      message: error instanceof Error ? error.message : String(error),
    });
  } finally {
    aborts.delete(message.id);
  }
}

process.on("message", (raw: unknown) => {
  const message = raw as HostMessage;
  switch (message.type) {
    case "init":
      executor = new IsolatedVmExecutor({ ...message.options, isolation: "in-process" });
      setInterval(reportSessions, SESSION_REPORT_INTERVAL_MS).unref();
      send({ type: "ready" });
      break;
    case "execute":
      void execute(message);
      break;
    case "tool-reply": {
      const waiter = toolWaiters.get(message.callId);
      toolWaiters.delete(message.callId);
      waiter?.(message.reply);
      break;
    }
    case "abort":
      aborts.get(message.id)?.abort();
      break;
    case "close":
      void (executor?.close() ?? Promise.resolve()).finally(() => process.exit(0));
      break;
  }
});

process.on("warning", (warning: Error & { code?: string }) => {
  if (warning.code === CATASTROPHIC_WARNING_CODE) send({ type: "wedged", reason: warning.message });
});
process.on("disconnect", die);

if (!process.send) {
  process.stderr.write("process-worker must be started by the isolated-vm executor (it needs an IPC channel).\n");
  process.exit(1);
}
