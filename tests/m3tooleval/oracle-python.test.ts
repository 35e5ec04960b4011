import { JupyterExecutor, startLocalJupyter, type LocalJupyter } from "../../src/executors/jupyter/index.js";
import { loadTasks } from "../../bench/m3tooleval/data.js";
import { PYTHON_ORACLES } from "../../bench/m3tooleval/oracle/python.js";
import { mapWithConcurrency, runTask, type M3Result } from "../../bench/m3tooleval/runner.js";
import { ScriptedChatModel } from "../../bench/m3tooleval/scripted-model.js";

jest.setTimeout(600_000);

// Never skipped: the test command installs jupyter-server (scripts/install-system-deps.sh).
describe("M3ToolEval Python oracle through the real CodeAct graph and a local Jupyter server", () => {
  let server: LocalJupyter;
  let executor: JupyterExecutor;
  let results: M3Result[];

  beforeAll(async () => {
    server = await startLocalJupyter();
    executor = new JupyterExecutor({ baseUrl: server.baseUrl, token: server.token, maxOutputChars: 2000 });
    results = await mapWithConcurrency(loadTasks(), 4, (task) =>
      runTask({
        task,
        mode: "codeact-python",
        model: new ScriptedChatModel({ code: PYTHON_ORACLES[task.name] ?? "", language: "python" }),
        executor,
      })
    );
  });

  afterAll(async () => {
    await executor?.close();
    await server?.stop();
  });

  it("solves all 82 tasks on the normalized checker, in two turns each", () => {
    const failures = results
      .filter((result) => !result.success.normalized)
      .map((result) => ({ task: result.task, answer: result.answer, error: result.error }));
    expect(failures).toEqual([]);
    for (const result of results) expect(result.turns).toBe(2);
  });
});
