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
import { js, observations, py, runAgentProcess, type FixtureInput } from "./helpers.js";

jest.setTimeout(180_000);

let directory: string;
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), "codeact-resume-"));
});
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe("JavaScript (isolated-vm)", () => {
  it("continues a thread in a new process: variables restored into a new isolate, lost names reported", async () => {
    const checkpointer = { kind: "sqlite", path: join(directory, "js.sqlite") } as const;
    const threadId = "js-thread";
    const first = await runAgentProcess({
      checkpointer,
      threadId,
      task: "Remember some numbers.",
      responses: [
        js('const base = 40;\nlet labels = ["a", "b"];\nfunction double(x) { return x * 2; }\nconsole.log("defined", base + labels.length);'),
        "Stored base, labels and double.",
      ],
    });
    expect(first.messagesBefore).toBe(0);
    expect(observations(first)[0]).toContain("defined 42");
    expect(first.variables).toEqual({ base: 40, labels: ["a", "b"] });
    expect(first.unsavedVariables).toEqual(["double"]);

    const second = await runAgentProcess({
      checkpointer,
      threadId,
      task: "Use them again.",
      responses: [
        js('console.log("sum", base + labels.length, labels.join("+"));\ntypeof double'),
        "The sum is 42.",
      ],
    });
    // The thread's messages came back from the database.
    expect(second.messagesBefore).toBe(first.messages.length);
    expect(second.messages.slice(0, first.messages.length)).toEqual(first.messages);
    const [observation] = observations(second);
    // The model's code used the restored variables in a new isolate…
    expect(observation).toContain("sum 42 a+b");
    expect(observation).toMatch(/restored variables base, labels/);
    // …and was told that the function was lost (and it is gone).
    expect(observation).toMatch(/Not restored \(they could not be saved\): double/);
    expect(observation).toContain("Value: 'undefined'");
    expect(second.messages.at(-1)).toBe("ai: The sum is 42.");
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
    expect(observation).toMatch(/Not restored \(they could not be saved\): square/);
  });
});
