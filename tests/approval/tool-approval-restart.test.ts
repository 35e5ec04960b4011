/**
 * Tool approvals that outlive their process: the run stops at a gated call in
 * one Node process (which then exits, its paused cell with it), and a fresh
 * process resumes the interrupt from the SQLite checkpoint. Each tool run is
 * appended to a file by the tool itself, so the test counts runs across both
 * processes. JavaScript on isolated-vm, Python on a real Jupyter server.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tool } from "@langchain/core/tools";
import { Command, MemorySaver } from "@langchain/langgraph";
import { z } from "zod";
import { JupyterExecutor, startLocalJupyter, type LocalJupyter } from "../../src/executors/jupyter/index.js";
import { createCodeActAgent } from "../../src/index.js";
import { ScriptedChatModel, textOf } from "../graph/helpers.js";
import { js, py, runAgentProcess, type FixtureInput } from "../resume/helpers.js";
import { listKernelIds } from "../executors/jupyter/helpers.js";

jest.setTimeout(180_000);

let directory: string;
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), "codeact-approval-"));
});
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

function runsIn(file: string): Array<{ tool: string; args: unknown; pid: number }> {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as { tool: string; args: unknown; pid: number });
}

/** The turn's observation: the first message the code's run added (a human-type message). */
const observationOf = (messages: string[], before: number) =>
  messages.slice(before).find((message) => message.startsWith("human:") && !message.startsWith("human: go")) ?? "";

async function restartScenario(name: string, code: string, extra: Partial<FixtureInput>) {
  const runsFile = join(directory, `${name}.runs`);
  const base = {
    checkpointer: { kind: "sqlite" as const, path: join(directory, `${name}.sqlite`) },
    threadId: name,
    ...extra,
  };
  const first = await runAgentProcess({ ...base, task: "go", responses: [code], approval: { runsFile } });
  expect(first.interrupt).toMatchObject({ type: "codeact_tool_approval", tool: "send_email", args: { to: "user10@example.com", body: "n=10" } });
  const before = runsIn(runsFile);
  expect(before.map((run) => run.tool)).toEqual(Array.from({ length: 10 }, () => "lookup"));

  const second = await runAgentProcess({ ...base, task: "", responses: ["Sent."], approval: { runsFile, resume: { action: "approve" } } });
  expect(second.interrupt).toBeUndefined();
  const runs = runsIn(runsFile);
  // Each tool ran exactly once, the approved one in the second process.
  expect(runs.map((run) => run.tool)).toEqual([...before.map((run) => run.tool), "send_email"]);
  expect(runs.at(-1)?.args).toEqual({ to: "user10@example.com", body: "n=10" });
  expect(new Set(before.map((run) => run.pid)).size).toBe(1);
  expect(runs.at(-1)?.pid).not.toBe(before[0]?.pid);
  return { second, observation: observationOf(second.messages, second.messagesBefore) };
}

describe("a tool approval resumed by another process", () => {
  it("JavaScript: the cell re-runs from its starting state; ten earlier calls come from the record", async () => {
    const code = js(
      [
        "const users = [];",
        "for (let id = 1; id <= 10; id++) users.push(await lookup({ id }));",
        "total = users.length;",
        "console.log(await send_email({ to: users[9].email, body: 'n=' + total }), total);",
      ].join("\n")
    );
    const { second, observation } = await restartScenario("js-restart", code, {});
    expect(observation).toContain("sent to user10@example.com 10");
    expect(second.variables).toMatchObject({ total: 10 });
  });

  describe("Python", () => {
    let jupyter: LocalJupyter;
    beforeAll(async () => {
      jupyter = await startLocalJupyter();
    }, 60_000);
    afterAll(async () => {
      await jupyter?.stop();
    }, 60_000);

    it("the kernel left waiting in the call is replaced; the cell re-runs with the calls answered from the record", async () => {
      const code = py(
        [
          "users = [lookup(id=i) for i in range(1, 11)]",
          "total = len(users)",
          "print(send_email(to=users[9]['email'], body='n=%d' % total), total)",
        ].join("\n")
      );
      const { second, observation } = await restartScenario("py-restart", code, {
        jupyter: { baseUrl: jupyter.baseUrl, token: jupyter.token },
      });
      expect(observation).toContain("sent to user10@example.com 10");
      expect(second.variables).toMatchObject({ total: 10 });
      // The first process's kernel (stuck in the call) was shut down, not left behind.
      const kernels = await listKernelIds(jupyter.baseUrl, jupyter.token);
      expect(kernels).toEqual([JSON.parse(second.resumeToken ?? "{}").kernelId]);
    });

    it("in one process: a rejected call raises ToolRejectedError, which the code catches; an approved one runs once", async () => {
      const executor = new JupyterExecutor({ baseUrl: jupyter.baseUrl, token: jupyter.token });
      try {
        const runs: string[] = [];
        const sendEmail = tool(
          async ({ to }: { to: string; body: string }) => {
            runs.push(to);
            return `sent to ${to}`;
          },
          { name: "send_email", description: "Sends an email.", schema: z.object({ to: z.string(), body: z.string() }) }
        );
        const code = [
          "try:",
          "    send_email(to='a@example.com', body='x')",
          "except ToolRejectedError as error:",
          "    print('rejected:', isinstance(error, ToolError), error)",
          "print(send_email('b@example.com', 'y'))",
        ].join("\n");
        const model = new ScriptedChatModel([py(code), "Done."]);
        const agent = createCodeActAgent({ model, tools: [sendEmail], executor, checkpointer: new MemorySaver(), approveToolCalls: ["send_email"] });
        const config = { configurable: { thread_id: "py-live" } };
        const first = (await agent.invoke({ messages: [{ role: "user", content: "go" }] }, config)) as { __interrupt__?: Array<{ value: { args: unknown; language: string } }> };
        expect(first.__interrupt__?.[0]?.value).toMatchObject({ args: { to: "a@example.com", body: "x" }, language: "python" });
        const second = (await agent.invoke(new Command({ resume: { action: "reject", reason: "no" } }), config)) as typeof first;
        expect(second.__interrupt__?.[0]?.value.args).toEqual({ to: "b@example.com", body: "y" });
        await agent.invoke(new Command({ resume: { action: "approve" } }), config);
        expect(runs).toEqual(["b@example.com"]);
        const observation = textOf(model.calls[1]?.at(-1));
        expect(observation).toContain("rejected: True send_email: the user rejected this call: no.");
        expect(observation).toContain("sent to b@example.com");
      } finally {
        await executor.close();
      }
    });
  });
});
