/**
 * Entry point of the worker process behind `isolation: "process"`: runs the
 * host's already transformed cells in a {@link CellRunner} and serves the
 * host over IPC. Started by `process-supervisor.ts`; never imported by
 * library code. It imports only what runs cells (not the code transform nor
 * the supervisor), so it starts quickly: a test lists the modules it loads.
 *
 * @module
 */
import { CellRunner, PREWARM_DELAY_MS } from "./cell-runner.js";
import { CATASTROPHIC_WARNING_CODE, type HostMessage, type WorkerMessage } from "./worker-protocol.js";

/** How often the worker reports a changed session count (idle evictions happen on their own). */
const SESSION_REPORT_INTERVAL_MS = 1_000;

let runner: CellRunner | undefined;
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
  const count = runner?.sessionCount ?? 0;
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
  if (!runner) throw new Error("worker not initialised");
  const controller = new AbortController();
  aborts.set(message.id, controller);
  const malformed = new Set(message.malformedDefinitions ?? []);
  try {
    const result = await runner.execute(
      {
        sessionId: message.sessionId,
        ...(message.variables ? { variables: message.variables } : {}),
        ...(message.definitions ? { definitions: message.definitions } : {}),
        signal: controller.signal,
        prepare: () => ({ ok: true, cell: message.cell }),
        // the host checked the definitions it sent; the others come from this worker's own guests
        isSingleDefinition: (source) => !malformed.has(source),
      },
      {
        toolNames: message.tools,
        dispatch: remoteDispatch(message.id),
        onOutput: (chunk) => send({ type: "output", id: message.id, chunk }),
      }
    );
    reportedSessions = runner.sessionCount;
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
      runner = new CellRunner(message.options);
      setInterval(reportSessions, SESSION_REPORT_INTERVAL_MS).unref();
      send({ type: "ready" });
      runner.prewarm(PREWARM_DELAY_MS);
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
    case "forget":
      void runner?.forget(message.sessionId).then(reportSessions);
      break;
    case "close":
      void (runner?.close() ?? Promise.resolve()).finally(() => process.exit(0));
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
