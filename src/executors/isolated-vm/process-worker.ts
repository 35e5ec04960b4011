/**
 * Entry point of the worker process behind `isolation: "process"`: runs an
 * in-process {@link IsolatedVmExecutor} and serves the host over IPC. Started
 * by `process-supervisor.ts`; never imported by library code.
 *
 * @module
 */
import { executeWithHooks, IsolatedVmExecutor } from "./isolated-vm-executor.js";
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

/**
 * Asks the host to run a tool for the cell `id`. The guest's JSON arguments
 * go out and the host's reply envelope (`{"value"}`, `{}` or `{"error"}`)
 * comes back as they are: the host's dispatcher checks the name and parses
 * the arguments, as the in-process one does.
 */
function remoteDispatch(id: number): (name: string, argumentsJson: string) => Promise<string> {
  return (name, argumentsJson) =>
    new Promise<string>((resolve) => {
      const callId = ++nextCallId;
      toolWaiters.set(callId, resolve);
      send({ type: "tool-call", id, callId, name: String(name), argumentsJson: String(argumentsJson) });
    });
}

async function execute(message: Extract<HostMessage, { type: "execute" }>): Promise<void> {
  if (!executor) throw new Error("worker not initialised");
  const controller = new AbortController();
  aborts.set(message.id, controller);
  try {
    const result = await executeWithHooks(
      executor,
      {
        code: message.code,
        sessionId: message.sessionId,
        ...(message.variables ? { variables: message.variables } : {}),
        ...(message.definitions ? { definitions: message.definitions } : {}),
        signal: controller.signal,
      },
      {
        toolNames: message.tools,
        dispatch: remoteDispatch(message.id),
        onOutput: (chunk) => send({ type: "output", id: message.id, chunk }),
      }
    );
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
