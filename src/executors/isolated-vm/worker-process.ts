/**
 * One worker process of `isolation: "process"`: forked with the flags
 * isolated-vm needs, watched for readiness and exit, and kept from holding
 * the host process open while it has nothing to do.
 */
import { fork, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { debuglog } from "node:util";
import type { OutputBuffer } from "../../shared/clip.js";
import { moduleFile } from "./module-file.js";
import type { SandboxFailure } from "./cell-failures.js";
import type { ToolDispatcher } from "./tool-bridge.js";
import type { HostMessage, WorkerExecutorOptions, WorkerMessage } from "./worker-protocol.js";

/** A worker that has not said "ready" by then is treated as unable to start. */
export const WORKER_START_TIMEOUT_MS = 30_000;
const debug = debuglog("codeact");

/** Bytes of the worker's stderr kept to explain a crash. */
const STDERR_TAIL_CHARS = 4_000;

/** A cell waiting for its worker. */
export interface PendingCell {
  dispatch: ToolDispatcher;
  onOutput: ((chunk: string) => void) | undefined;
  output: OutputBuffer;
  settle: (outcome: { message: WorkerMessage } | { failure: SandboxFailure } | { closed: true }) => void;
}

/** One worker process. */
export class Worker {
  readonly generation: number;
  readonly child: ChildProcess;
  /** Started by {@link prestartWorkerProcess}, not by this worker. */
  readonly adopted: boolean;
  readonly pending = new Map<number, PendingCell>();
  readonly ready: Promise<void>;
  sessionCount = 0;
  stderrTail = "";
  /** Set once the worker must not take new cells (wedged, crashed or closing). */
  retiring = false;
  exited = false;
  readonly exitedPromise: Promise<void>;
  #held = false;

  /** Still running and taking cells (not replaced, wedged, crashed or closing). */
  get accepting(): boolean {
    return !this.retiring && !this.exited;
  }

  constructor(generation: number, options: WorkerExecutorOptions, onMessage: (worker: Worker, message: WorkerMessage) => void) {
    this.generation = generation;
    const prestartedChild = takePrestarted();
    this.adopted = prestartedChild !== undefined;
    this.child = prestartedChild ?? forkWorker();
    this.child.stderr?.setEncoding("utf8");
    this.child.stderr?.on("data", (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    });
    this.exitedPromise = new Promise((resolve) => this.child.once("exit", () => resolve()));
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`the worker did not start within ${WORKER_START_TIMEOUT_MS} ms`));
        this.kill();
      }, WORKER_START_TIMEOUT_MS);
      const onReady = (message: WorkerMessage): void => {
        if (message.type !== "ready") return;
        clearTimeout(timer);
        this.child.off("message", onReady);
        resolve();
      };
      this.child.on("message", onReady);
      this.child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the worker exited during start-up (${signal ?? code}): ${this.stderrTail.trim().slice(-500)}`));
      });
      this.child.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    this.ready.catch(() => {});
    this.child.on("message", (message: WorkerMessage) => onMessage(this, message));
    this.send({ type: "init", options });
    this.idle();
  }

  send(message: HostMessage): void {
    if (this.exited || !this.child.connected) return;
    try {
      this.child.send(message, (error) => {
        if (error) this.kill(); // a broken channel is a dead worker
      });
    } catch {
      this.kill(); // a message that cannot be serialised: its cell fails as a crash, not with a raw error
    }
  }

  /** Keeps the host process alive only while cells are waiting (or close() awaits the exit). */
  busy(): void {
    this.child.ref();
    this.child.channel?.ref();
    // The stderr pipe is a handle of its own: left ref'd, an idle worker
    // would keep a script that never calls close() from ever exiting.
    (this.child.stderr as { ref?: () => void } | null)?.ref?.();
  }

  /** From now on the host waits for this worker: {@link idle} no longer unrefs it. */
  hold(): void {
    this.#held = true;
    this.busy();
  }

  idle(): void {
    if (this.pending.size > 0 || this.#held) return;
    unrefProcess(this.child);
  }

  kill(): void {
    this.retiring = true;
    if (this.exited) return;
    this.child.kill("SIGKILL");
  }
}

/**
 * A worker process forked ahead of need by {@link prestartWorkerProcess}: it
 * boots (Node, isolated-vm) while the host still loads, and the next
 * {@link Worker} adopts it instead of forking. It waits for its "init", so
 * nothing it would say is missed before then.
 */
let prestarted: ChildProcess | undefined;

/**
 * Forks the next worker process now, before the executor is created: for
 * the CLI, which can do so before loading the code transform and the rest
 * (~90 ms it would otherwise wait for). Until adopted it does not keep the
 * host alive, and it exits with the host. Does nothing if one is waiting.
 * Returns the waiting worker's process id.
 */
export function prestartWorkerProcess(): number | undefined {
  if (prestarted !== undefined && isRunning(prestarted)) return prestarted.pid;
  const child = forkWorker();
  unrefProcess(child);
  // a failed spawn is the adopting Worker's to report: it forks anew
  child.on("error", () => {});
  prestarted = child;
  debug("worker process %d prestarted (%s)", child.pid, child.spawnargs.at(-1));
  return child.pid;
}

/** The prestarted worker, if one waits and still runs; each is adopted once. */
function takePrestarted(): ChildProcess | undefined {
  const child = prestarted;
  prestarted = undefined;
  if (child === undefined || !isRunning(child)) return undefined;
  debug("worker process %d adopted", child.pid);
  return child;
}

/** Lets the host exit while `child` runs: the process, its IPC channel and its stderr pipe are each a handle. */
function unrefProcess(child: ChildProcess): void {
  child.unref();
  child.channel?.unref();
  (child.stderr as { unref?: () => void } | null)?.unref?.();
}

function isRunning(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null && child.connected;
}

function forkWorker(): ChildProcess {
  const { entry, execArgv } = workerEntry();
  return fork(entry, [], { execArgv, stdio: ["ignore", "ignore", "pipe", "ipc"], serialization: "json" });
}

/**
 * Where the worker script is, and how to run it: the compiled `.js` beside
 * this module under plain Node, or the `.ts` source through tsx when this
 * module itself runs from source (tests).
 */
function workerEntry(): { entry: string; execArgv: string[] } {
  const here = moduleFile();
  const extension = path.extname(here);
  const entry = path.join(path.dirname(here), `process-worker${extension}`);
  const execArgv = ["--no-node-snapshot"];
  if (extension === ".ts") {
    const tsx = createRequire(here).resolve("tsx");
    execArgv.push("--import", pathToFileURL(tsx).href);
  }
  return { entry, execArgv };
}


