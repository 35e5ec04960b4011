/**
 * Tool approvals: what a gated call costs when a human approves it at once in
 * the same process (pause, interrupt, resume, the cell carries on), beside
 * the same turn with no gate; and the resume of a cell with 10 earlier tool
 * calls by "another process" (a second agent and executor on the same
 * checkpoints: the cell re-runs from its starting state, the 10 calls
 * answered from the record), beside a resume in the process that paused.
 */
import { performance } from "node:perf_hooks";
import { tool } from "@langchain/core/tools";
import { Command, MemorySaver } from "@langchain/langgraph";
import { z } from "zod";
import { IsolatedVmExecutor } from "../src/executors/isolated-vm/index.js";
import { createCodeActAgent } from "../src/index.js";
import { ScriptedChatModel } from "./scripted-chat-model.js";
import { figure, median, type BenchFigure } from "./stats.js";

const GROUP = "Tool approvals";

export interface ApprovalBenchOptions {
  runs: number;
}

export const APPROVAL_FULL: ApprovalBenchOptions = { runs: 30 };
export const APPROVAL_QUICK: ApprovalBenchOptions = { runs: 3 };

const fence = (code: string) => "```javascript\n" + code + "\n```";

const tools = [
  tool(async ({ id }: { id: number }) => ({ id, email: `user${id}@example.com` }), {
    name: "lookup",
    description: "Finds a user.",
    schema: z.object({ id: z.number() }),
  }),
  tool(async ({ to }: { to: string }) => `sent to ${to}`, {
    name: "send_email",
    description: "Sends an email.",
    schema: z.object({ to: z.string() }),
  }),
];

const ONE_CALL = fence("console.log(await send_email({ to: 'a@example.com' }))");
const TEN_CALLS = fence(
  "const users = [];\nfor (let id = 1; id <= 10; id++) users.push(await lookup({ id }));\nconsole.log(await send_email({ to: users[9].email }));"
);

export async function runApprovalBench(options: ApprovalBenchOptions): Promise<BenchFigure[]> {
  const executor = new IsolatedVmExecutor({ isolation: "in-process" });
  const other = new IsolatedVmExecutor({ isolation: "in-process" });
  const checkpointer = new MemorySaver();
  const agent = (code: string, gated: boolean, on = executor) =>
    createCodeActAgent({
      model: new ScriptedChatModel([{ content: code }, { content: "Done." }]),
      tools,
      executor: on,
      checkpointer,
      ...(gated && { approveToolCalls: ["send_email"] }),
    });
  const ask = { messages: [{ role: "user", content: "go" }] };
  let thread = 0;
  const config = () => ({ configurable: { thread_id: `bench-${(thread += 1)}` } });
  try {
    // Warm both executors (isolate pools, compiled runtime).
    await agent(ONE_CALL, false).invoke(ask, config());
    await agent(ONE_CALL, false, other).invoke(ask, config());

    const plain: number[] = [];
    const gated: number[] = [];
    const live: number[] = [];
    const rerun: number[] = [];
    for (let run = 0; run < options.runs; run += 1) {
      let started = performance.now();
      await agent(ONE_CALL, false).invoke(ask, config());
      plain.push(performance.now() - started);

      const gatedConfig = config();
      const gatedAgent = agent(ONE_CALL, true);
      started = performance.now();
      await gatedAgent.invoke(ask, gatedConfig);
      await gatedAgent.invoke(new Command({ resume: { action: "approve" } }), gatedConfig);
      gated.push(performance.now() - started);

      // Ten calls before the gated one: resumed here (the cell carries on) or elsewhere (re-run).
      const liveConfig = config();
      const liveAgent = agent(TEN_CALLS, true);
      await liveAgent.invoke(ask, liveConfig);
      started = performance.now();
      await liveAgent.invoke(new Command({ resume: { action: "approve" } }), liveConfig);
      live.push(performance.now() - started);

      const rerunConfig = config();
      await agent(TEN_CALLS, true).invoke(ask, rerunConfig);
      const elsewhere = agent(TEN_CALLS, true, other);
      started = performance.now();
      const done = await elsewhere.invoke(new Command({ resume: { action: "approve" } }), rerunConfig);
      rerun.push(performance.now() - started);
      if (!JSON.stringify(done.messages.at(-2)?.content).includes("sent to user10@example.com")) {
        throw new Error("the re-run did not finish the cell");
      }
    }
    return [
      figure({
        group: GROUP,
        name: "turn with one gated call approved at once, same process (pause + resume, median)",
        value: median(gated),
        unit: "ms",
        baseline: { name: "the same turn, no gate", value: median(plain) },
      }),
      figure({
        group: GROUP,
        name: "resume by another process: cell with 10 earlier tool calls re-run from the record (median)",
        value: median(rerun),
        unit: "ms",
        baseline: { name: "resume in the process that paused", value: median(live) },
      }),
    ];
  } finally {
    await executor.close();
    await other.close();
  }
}
