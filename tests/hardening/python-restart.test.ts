import { HumanMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { MemorySaver } from "@langchain/langgraph";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { ExecutorUnavailableError } from "../../src/executors/errors.js";
import { JupyterExecutor, startLocalJupyter, type LocalJupyter } from "../../src/executors/jupyter/index.js";
import type { ExecuteResult, HostFunction } from "../../src/executors/types.js";
import { createCodeActGraph } from "../../src/graph/create-codeact-graph.js";
import { listKernelIds, processesMentioning } from "../executors/jupyter/helpers.js";

// The Jupyter server restarts (same port, same token) while a cell runs. The
// contract: an unreachable server is infrastructure and throws
// ExecutorUnavailableError; a server that is back but lost the kernel is a
// crash the model is told about (SessionCrashedError). Either way the next
// cell of the session gets a new kernel with the snapshot restored, and a
// graph run that failed resumes on its thread with nothing lost.
const CELL_TIMEOUT_MS = 30_000;
const py = (code: string): string => "```python\n" + code + "\n```";
const text = (content: unknown): string => (typeof content === "string" ? content : JSON.stringify(content));
const kernelIdOf = (token: string | null | undefined): string =>
  (JSON.parse(token ?? "{}") as { kernelId?: string }).kernelId ?? "";

/** A server that can be restarted on its port with its token; stops every instance at the end. */
class RestartableJupyter {
  readonly token = randomBytes(16).toString("hex");
  readonly stateDirs: string[] = [];
  current: LocalJupyter | undefined;
  #port: number | undefined;

  async start(): Promise<LocalJupyter> {
    const server = await startLocalJupyter({ token: this.token, ...(this.#port !== undefined && { port: this.#port }) });
    this.#port = Number(new URL(server.baseUrl).port);
    this.stateDirs.push(server.stateDir);
    this.current = server;
    return server;
  }

  async stop(): Promise<void> {
    await this.current?.stop();
    this.current = undefined;
  }

  /** After close(): no kernel left on the live server, no kernel process of any instance alive. */
  async expectNoOrphans(): Promise<void> {
    if (this.current) expect(await listKernelIds(this.current.baseUrl, this.token)).toEqual([]);
    await this.stop();
    for (const stateDir of this.stateDirs) expect(processesMentioning(stateDir)).toEqual([]);
  }
}

/** A host tool the cell calls when it is running, so the test can act mid-cell. */
function startedSignal(): { started: Promise<void>; calls: () => number; fn: () => number } {
  let calls = 0;
  let resolve!: () => void;
  const started = new Promise<void>((done) => (resolve = done));
  return {
    started,
    calls: () => calls,
    fn: () => {
      calls += 1;
      resolve();
      return calls;
    },
  };
}

// On the first call the cell sleeps long (the server goes away under it); when re-run it does not.
const LONG_CELL = "n = started()\nimport time\ntime.sleep(30 if n == 1 else 0)\nkept['n'] + 1";
/** Says when it starts sleeping, so a test can act while it sleeps. */
const SLEEPING_CELL = "import time\nprint('sleeping', flush=True)\ntime.sleep(30)\nkept['n'] + 1";

describe("hardening: Jupyter server restart mid-run", () => {
  jest.setTimeout(60_000);

  it("throws ExecutorUnavailableError while the server is down; the next cell gets a new kernel with the snapshot", async () => {
    const jupyter = new RestartableJupyter();
    const first = await jupyter.start();
    const executor = new JupyterExecutor({ baseUrl: first.baseUrl, token: jupyter.token, timeoutMs: CELL_TIMEOUT_MS });
    try {
      const defined = await executor.execute({ sessionId: "restart", code: "kept = {'n': 41}" });
      const signal = startedSignal();
      const tools: Record<string, HostFunction> = { started: async () => signal.fn() };
      const cell = executor.execute({ sessionId: "restart", code: LONG_CELL, tools });
      cell.catch(() => undefined);
      await signal.started;
      const stoppedAt = Date.now();
      await jupyter.stop();
      // Nothing listens on the port: the executor must not hang or answer with a misleading cell error.
      await expect(cell).rejects.toBeInstanceOf(ExecutorUnavailableError);
      await expect(cell).rejects.toThrow(first.baseUrl);
      expect(Date.now() - stoppedAt).toBeLessThan(15_000);

      await jupyter.start();
      const next = await executor.execute({
        sessionId: "restart",
        code: LONG_CELL,
        tools,
        variables: defined.variables ?? {},
      });
      expect(next.error).toBeUndefined();
      expect(next.value).toBe("42");
      expect(next.sessionChange).toMatchObject({ cause: expect.stringMatching(/new one was started/), restored: ["kept"] });
      expect(kernelIdOf(next.resumeToken)).not.toBe(kernelIdOf(defined.resumeToken));
      expect(signal.calls()).toBe(2);
    } finally {
      await executor.close();
      await jupyter.expectNoOrphans();
    }
  });

  it("a quick restart is either a SessionCrashedError or ExecutorUnavailableError, never a bare KeyboardInterrupt", async () => {
    const jupyter = new RestartableJupyter();
    const first = await jupyter.start();
    const executor = new JupyterExecutor({ baseUrl: first.baseUrl, token: jupyter.token, timeoutMs: CELL_TIMEOUT_MS });
    try {
      await executor.execute({ sessionId: "quick", code: "kept = {'n': 41}" });
      // The server goes away once the cell has said it is about to sleep: stopping it
      // as soon as a tool call reaches the host could interrupt the kernel while that
      // call is still returning, and the traceback would not end in time.sleep.
      let announced!: () => void;
      const sleeping = new Promise<void>((done) => (announced = done));
      const cell = executor.execute({
        sessionId: "quick",
        code: SLEEPING_CELL,
        onOutput: (chunk) => {
          if (chunk.includes("sleeping")) announced();
        },
      });
      cell.catch(() => undefined);
      await sleeping;
      await jupyter.stop();
      await jupyter.start(); // usually back within the WebSocket's reconnect window
      const outcome: ExecuteResult | unknown = await cell.catch((error: unknown) => error);
      if (outcome instanceof Error) {
        expect(outcome).toBeInstanceOf(ExecutorUnavailableError);
      } else {
        const result = outcome as ExecuteResult;
        // The server interrupted the cell before killing its kernel: the error names the lost kernel.
        expect(result.error?.name).toBe("SessionCrashedError");
        expect(result.error?.message).toMatch(/kernel was lost.*server stopped or restarted/);
        expect(result.error?.traceback).toContain("time.sleep");
        expect(result.sessionChange?.restored).toEqual(["kept"]);
        expect(result.variables).toEqual({ kept: { n: 41 } });
      }
      const next = await executor.execute({ sessionId: "quick", code: "kept['n'] + 1" });
      expect(next.error).toBeUndefined();
      expect(next.value).toBe("42");
    } finally {
      await executor.close();
      await jupyter.expectNoOrphans();
    }
  });

  it("through the graph with MemorySaver: the failed run resumes on its thread once the server is back", async () => {
    const jupyter = new RestartableJupyter();
    const first = await jupyter.start();
    const executor = new JupyterExecutor({ baseUrl: first.baseUrl, token: jupyter.token, timeoutMs: CELL_TIMEOUT_MS });
    const signal = startedSignal();
    const started = tool(async () => signal.fn(), {
      name: "started",
      description: "Tells the test the cell is running; returns how often it was called.",
      schema: z.object({}),
    });
    const model = new FakeListChatModel({
      responses: [py("kept = {'n': 41}"), "Defined.", py(LONG_CELL), "It is 42."],
    });
    const graph = createCodeActGraph({ model, executor, tools: [started] }).compile({ checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: "restart-thread" }, recursionLimit: 20 };
    try {
      await graph.invoke({ messages: [new HumanMessage("define kept")] }, config);
      const run = graph.invoke({ messages: [new HumanMessage("kept['n'] + 1?")] }, config);
      run.catch(() => undefined);
      await signal.started;
      await jupyter.stop();
      await expect(run).rejects.toMatchObject({ code: "EXECUTOR_UNAVAILABLE" });

      // The checkpoint holds everything up to the failed step, which is still pending.
      const failed = await graph.getState(config);
      expect(failed.next).toEqual(["execute"]);
      expect(failed.values.messages.map((message: { content: unknown }) => text(message.content))).toEqual([
        "define kept",
        py("kept = {'n': 41}"),
        "The code ran without output or value.",
        "Defined.",
        "kept['n'] + 1?",
        py(LONG_CELL),
      ]);
      expect(failed.values.variables).toEqual({ kept: { n: 41 } });

      await jupyter.start();
      const resumed = await graph.invoke(null, config);
      const contents = resumed.messages.map((message) => text(message.content));
      expect(contents).toHaveLength(8);
      expect(contents.slice(0, 6)).toEqual(failed.values.messages.map((message: { content: unknown }) => text(message.content)));
      expect(contents[6]).toContain("42");
      expect(contents[6]).toMatch(/new one was started: variables kept are restored/);
      expect(contents[7]).toBe("It is 42.");
      expect(resumed.variables).toEqual({ kept: { n: 41 }, n: 2 });
      expect(signal.calls()).toBe(2);
    } finally {
      await executor.close();
      await jupyter.expectNoOrphans();
    }
  });
});
