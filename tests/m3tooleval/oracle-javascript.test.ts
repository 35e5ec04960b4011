import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import { loadTasks } from "../../bench/m3tooleval/data.js";
import { JAVASCRIPT_ORACLES } from "../../bench/m3tooleval/oracle/javascript.js";
import { mapWithConcurrency, runTask, type M3Result } from "../../bench/m3tooleval/runner.js";
import { ScriptedChatModel } from "../../bench/m3tooleval/scripted-model.js";

jest.setTimeout(300_000);

describe("M3ToolEval JavaScript oracle through the real CodeAct graph and isolated-vm", () => {
  let executor: IsolatedVmExecutor;
  let results: M3Result[];

  beforeAll(async () => {
    executor = new IsolatedVmExecutor({ maxOutputChars: 2000 });
    const tasks = loadTasks();
    results = await mapWithConcurrency(tasks, 4, (task) => {
      const code = JAVASCRIPT_ORACLES[task.name];
      if (code === undefined) throw new Error(`no oracle for ${task.name}`);
      return runTask({
        task,
        mode: "codeact-js",
        model: new ScriptedChatModel({ code, language: "javascript" }),
        executor,
      });
    });
  });

  afterAll(async () => {
    await executor.close();
  });

  it("has an oracle for each of the 82 tasks", () => {
    expect(loadTasks()).toHaveLength(82);
    expect(Object.keys(JAVASCRIPT_ORACLES).sort()).toEqual(loadTasks().map((task) => task.name).sort());
  });

  it("solves all 82 tasks on the normalized checker, in two turns each", () => {
    const failures = results
      .filter((result) => !result.success.normalized)
      .map((result) => ({ task: result.task, answer: result.answer, error: result.error }));
    expect(failures).toEqual([]);
    for (const result of results) expect(result.turns).toBe(2);
  });

  it("passes the faithful checker except where Python's repr of a list, dict or tuple is required", () => {
    const faithfulFailures = results.filter((result) => !result.success.faithful).map((result) => result.task);
    const reprTypes = new Set(["list", "dict", "tuple"]);
    const tasksByName = new Map(loadTasks().map((task) => [task.name, task]));
    for (const name of faithfulFailures) {
      expect(reprTypes.has(tasksByName.get(name)?.expected_output_python_type ?? "")).toBe(true);
    }
    expect(results.filter((result) => result.success.faithful).length).toBeGreaterThanOrEqual(76);
  });
});
