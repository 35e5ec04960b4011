/**
 * Durable resume with SQLite: a thread started in one process continues in a
 * fresh one. JavaScript: the variables come back in a new isolate and the
 * model is told which names were lost. Python: the second process reconnects
 * to the still-living kernel through `resumeToken`, or, when the kernel was
 * deleted in between, gets a new kernel with the variables restored.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalJupyter, type LocalJupyter } from "../../src/executors/jupyter/index.js";
import { JupyterClient } from "../../src/executors/jupyter/rest-client.js";
import { js, observations, py, runAgentProcess, startAgentWorker, type FixtureInput, type FixtureOutput } from "./helpers.js";

jest.setTimeout(180_000);

let directory: string;
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), "codeact-resume-"));
});
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

/**
 * Steps 2–4 of a thread set up by worker A in step 1: B, A, B each add to the
 * ledger and count the step; each observation shows the running totals and
 * reports no loss.
 */
async function alternate(
  turn: (worker: 0 | 1, code: string) => Promise<FixtureOutput>,
  code: (amount: number) => string,
  shown: (total: number, steps: number) => string
): Promise<void> {
  const expected = [
    { worker: 1 as const, amount: 100, total: 110, steps: 2 },
    { worker: 0 as const, amount: 50, total: 165, steps: 3 },
    { worker: 1 as const, amount: 10, total: 176, steps: 4 },
  ];
  for (const { worker, amount, total, steps } of expected) {
    const [observation] = observations(await turn(worker, code(amount)));
    expect(observation).toContain(shown(total, steps));
    expect(observation).not.toMatch(/Not restored|could not be restored|lost/);
  }
}

describe("JavaScript (isolated-vm)", () => {
  it("continues a thread in a new process: variables, functions and classes come back, the rest is named", async () => {
    const checkpointer = { kind: "sqlite", path: join(directory, "js.sqlite") } as const;
    const threadId = "js-thread";
    const first = await runAgentProcess({
      checkpointer,
      threadId,
      task: "Remember some numbers.",
      responses: [
        js(
          'const base = 40;\nlet labels = ["a", "b"];\nfunction double(x) { return x * 2; }\n' +
            "const counter = (() => { let n = 0; return () => ++n; })();\nconsole.log(\"defined\", base + labels.length);"
        ),
        "Stored base, labels and double.",
      ],
    });
    expect(first.messagesBefore).toBe(0);
    expect(observations(first)[0]).toContain("defined 42");
    expect(first.variables).toEqual({ base: 40, labels: ["a", "b"] });
    expect(first.unsavedVariables).toEqual(["counter"]);

    const second = await runAgentProcess({
      checkpointer,
      threadId,
      task: "Use them again.",
      responses: [
        js('console.log("sum", base + labels.length, labels.join("+"), double(21));\ntypeof counter'),
        "The sum is 42.",
      ],
    });
    // The thread's messages came back from the database.
    expect(second.messagesBefore).toBe(first.messages.length);
    expect(second.messages.slice(0, first.messages.length)).toEqual(first.messages);
    const [observation] = observations(second);
    // The model's code used the restored variables and function in a new isolate…
    expect(observation).toContain("sum 42 a+b 42");
    expect(observation).toMatch(/restored variables base, labels, double/);
    // …and was told that the closure was lost (and it is gone).
    expect(observation).toMatch(/Not restored \([^)]*\): counter/);
    expect(observation).toContain("Value: 'undefined'");
    expect(second.messages.at(-1)).toBe("ai: The sum is 42.");
  });

  it("alternates one thread between two live workers (A, B, A, B): helpers, instances and values stay exact", async () => {
    const checkpointer = { kind: "sqlite", path: join(directory, "js-workers.sqlite") } as const;
    const threadId = "js-alternating";
    const workers = [startAgentWorker(), startAgentWorker()] as const;
    try {
      const turn = (worker: 0 | 1, code: string) =>
        workers[worker].run({ checkpointer, threadId, task: "next", responses: [js(code), "ok"] });
      const setUp = await turn(
        0,
        "function fee(amount) { return Math.round(amount * 0.1) }\n" +
          "class Ledger { constructor() { this.entries = [] } add(amount) { this.entries.push(amount + fee(amount)); return this } total() { return this.entries.reduce((a, b) => a + b, 0) } }\n" +
          "const ledger = new Ledger();\nvar steps = 1;\nsteps"
      );
      expect(observations(setUp)[0]).toContain("Value: 1");
      await alternate(
        turn,
        (amount) => `ledger.add(${amount}); steps = steps + 1; [ledger.total(), steps, ledger instanceof Ledger]`,
        (total, steps) => `Value: [ ${total}, ${steps}, true ]`
      );
    } finally {
      await Promise.all(workers.map((worker) => worker.close()));
    }
  });
});

describe("Python (Jupyter)", () => {
  let jupyter: LocalJupyter;
  let client: JupyterClient;
  beforeAll(async () => {
    jupyter = await startLocalJupyter();
    client = new JupyterClient({ baseUrl: jupyter.baseUrl, token: jupyter.token });
  }, 60_000);
  afterAll(async () => {
    // Shuts down the kernels the agent processes left running.
    await jupyter?.stop();
  }, 60_000);

  const kernelIdOf = (token: string | null): string => (JSON.parse(token ?? "{}") as { kernelId: string }).kernelId;

  const startThread = async (threadId: string, path: string) => {
    const input: Omit<FixtureInput, "task" | "responses"> = {
      checkpointer: { kind: "sqlite", path },
      threadId,
      jupyter: { baseUrl: jupyter.baseUrl, token: jupyter.token },
    };
    const first = await runAgentProcess({
      ...input,
      task: "Set things up.",
      responses: [
        py('rows = [3, 4, 5]\nname = "py"\nsquare = lambda x: x * x\nprint("total", sum(rows))'),
        "Ready.",
      ],
    });
    expect(observations(first)[0]).toContain("total 12");
    expect(first.variables).toEqual({ rows: [3, 4, 5], name: "py" });
    expect(first.unsavedVariables).toEqual(["square"]);
    return { input, first, kernelId: kernelIdOf(first.resumeToken) };
  };

  it("reconnects to the still-living kernel in a new process", async () => {
    const { input, first, kernelId } = await startThread("py-living", join(directory, "py-living.sqlite"));
    // The first process exited; its kernel did not.
    expect((await client.getKernel(kernelId))?.id).toBe(kernelId);

    const second = await runAgentProcess({
      ...input,
      task: "Continue.",
      responses: [py('print(name, sum(rows), square(9))'), "Still there."],
    });
    expect(second.messagesBefore).toBe(first.messages.length);
    expect(kernelIdOf(second.resumeToken)).toBe(kernelId);
    const [observation] = observations(second);
    // Even the function survived: the kernel's memory was never lost.
    expect(observation).toContain("py 12 81");
    expect(observation).not.toMatch(/Session:|restored|Not restored/);
  });

  it("replaces a kernel deleted in between, restores the variables and tells the model", async () => {
    const { input, first, kernelId } = await startThread("py-deleted", join(directory, "py-deleted.sqlite"));
    await client.shutdownKernel(kernelId);

    const second = await runAgentProcess({
      ...input,
      task: "Continue.",
      responses: [py('print(name, sum(rows))\nprint("square" in globals())'), "Restored."],
    });
    expect(second.messagesBefore).toBe(first.messages.length);
    expect(kernelIdOf(second.resumeToken)).not.toBe(kernelId);
    const [observation] = observations(second);
    expect(observation).toContain("py 12\nFalse");
    expect(observation).toMatch(/no longer exists, so a new one was started: variables rows, name are restored/);
    expect(observation).toMatch(/Not restored \([^)]*\): square/);
  });
  it("alternates one thread between two workers with their own Jupyter servers (A, B, A, B): helpers and instances travel", async () => {
    const other = await startLocalJupyter();
    const workers = [startAgentWorker(), startAgentWorker()] as const;
    const servers = [jupyter, other] as const;
    const checkpointer = { kind: "sqlite", path: join(directory, "py-workers.sqlite") } as const;
    try {
      const turn = (worker: 0 | 1, code: string) =>
        workers[worker].run({
          checkpointer,
          threadId: "py-alternating",
          task: "next",
          responses: [py(code), "ok"],
          jupyter: { baseUrl: servers[worker].baseUrl, token: servers[worker].token },
        });
      const setUp = await turn(
        0,
        "import math\n\ndef fee(amount):\n    return round(amount * 0.1)\n\n" +
          "class Ledger:\n    def __init__(self):\n        self.entries = []\n    def add(self, amount):\n        self.entries.append(amount + fee(amount))\n        return self\n    def total(self):\n        return sum(self.entries)\n\n" +
          "ledger = Ledger()\nsteps = 1\nprint(steps)"
      );
      expect(observations(setUp)[0]).toContain("Output:\n1");
      await alternate(
        turn,
        (amount) => `ledger.add(${amount})\nsteps = steps + 1\nprint(ledger.total(), steps, isinstance(ledger, Ledger), math.floor(2.5))`,
        (total, steps) => `${total} ${steps} True 2`
      );
    } finally {
      await Promise.all(workers.map((worker) => worker.close()));
      await other.stop();
    }
  });
});
