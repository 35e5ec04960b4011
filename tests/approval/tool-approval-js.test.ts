/**
 * Approval of single tool calls inside JavaScript code, on a real isolated-vm
 * executor and LangGraph's own interrupt/resume with a checkpointer.
 */
import { afterAll, describe, expect, it } from "@jest/globals";
import { tool } from "@langchain/core/tools";
import { Command, MemorySaver } from "@langchain/langgraph";
import { z } from "zod";
import { END, START, StateGraph } from "@langchain/langgraph";
import {
  CodeActState,
  createCodeActAgent,
  createCodeActNodes,
  NODE_EXECUTE,
  NODE_MODEL,
  NODE_ROUTE,
  TOOL_APPROVAL_INTERRUPT_TYPE,
  type ToolApprovalPolicy,
  type ToolApprovalRequest,
} from "../../src/index.js";
import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import { js, ScriptedChatModel, textOf } from "../graph/helpers.js";

/** Tools that count every real run, so a test can prove each ran exactly once. */
function countingTools() {
  const runs: Array<{ tool: string; args: unknown }> = [];
  const lookup = tool(
    async ({ id }: { id: number }) => {
      runs.push({ tool: "lookup", args: { id } });
      return { id, email: `user${id}@example.com` };
    },
    { name: "lookup", description: "Finds a user.", schema: z.object({ id: z.number() }) }
  );
  const sendEmail = tool(
    async ({ to, body }: { to: string; body: string }) => {
      runs.push({ tool: "send_email", args: { to, body } });
      return `sent to ${to}`;
    },
    { name: "send_email", description: "Sends an email.", schema: z.object({ to: z.string().email(), body: z.string() }) }
  );
  return { runs, tools: [lookup, sendEmail] };
}

const executors: IsolatedVmExecutor[] = [];
afterAll(async () => {
  await Promise.all(executors.map((executor) => executor.close()));
});

function agentFor(
  replies: string[],
  options: { isolation?: "in-process" | "process"; checkpointer?: MemorySaver; timeoutMs?: number; policy?: ToolApprovalPolicy } = {}
) {
  const { runs, tools } = countingTools();
  const executor = new IsolatedVmExecutor({ isolation: options.isolation ?? "in-process", ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }) });
  executors.push(executor);
  const model = new ScriptedChatModel(replies);
  const checkpointer = options.checkpointer ?? new MemorySaver();
  const agent = createCodeActAgent({ model, tools, executor, checkpointer, approveToolCalls: options.policy ?? ["send_email"] });
  return { agent, runs, model, checkpointer, executor };
}

interface Interrupted {
  __interrupt__?: Array<{ value: unknown }>;
}

function pending(result: unknown): ToolApprovalRequest | undefined {
  return (result as Interrupted).__interrupt__?.[0]?.value as ToolApprovalRequest | undefined;
}

const CELL = [
  "const a = await lookup({ id: 1 });",
  "const b = await lookup({ id: 2 });",
  "const sent = await send_email({ to: a.email, body: 'hi ' + b.id });",
  "console.log('after', sent);",
  "sent",
].join("\n");

describe("approveToolCalls (JavaScript)", () => {
  it("stops at the gated call with its validated arguments, runs it once approved, and the cell goes on", async () => {
    const { agent, runs, model } = agentFor([js(CELL), "Done."]);
    const config = { configurable: { thread_id: "approve-1" } };
    const first = await agent.invoke({ messages: [{ role: "user", content: "email user 1" }] }, config);
    const request = pending(first);
    expect(request).toMatchObject({
      type: TOOL_APPROVAL_INTERRUPT_TYPE,
      tool: "send_email",
      args: { to: "user1@example.com", body: "hi 2" },
      code: CELL,
      language: "javascript",
      call: 2,
    });
    // The two lookups ran; the email did not.
    expect(runs.map((run) => run.tool)).toEqual(["lookup", "lookup"]);
    const state = await agent.getState(config);
    expect(state.values.toolApproval?.calls).toHaveLength(3);

    const done = await agent.invoke(new Command({ resume: { action: "approve" } }), config);
    expect(runs.map((run) => run.tool)).toEqual(["lookup", "lookup", "send_email"]);
    expect(pending(done)).toBeUndefined();
    const observation = textOf(model.calls[1]?.at(-1));
    expect(observation).toContain("after sent to user1@example.com");
    expect(textOf(done.messages.at(-1))).toBe("Done.");
    expect(done.toolApproval).toBeNull();
  });

  it("runs an edited call with the new arguments, and asks again when they do not fit the schema", async () => {
    const { agent, runs, model } = agentFor([js(CELL), "Done."]);
    const config = { configurable: { thread_id: "edit-1" } };
    await agent.invoke({ messages: [{ role: "user", content: "go" }] }, config);
    const asked = await agent.invoke(new Command({ resume: { action: "edit", args: { to: "not an email", body: 3 } } }), config);
    const again = pending(asked);
    expect(again?.tool).toBe("send_email");
    expect(again?.error).toMatch(/to: .*email/i);
    expect(again?.error).toMatch(/body: expected string/);
    expect(runs.filter((run) => run.tool === "send_email")).toHaveLength(0);
    const junk = pending(await agent.invoke(new Command({ resume: { action: "maybe" } }), config));
    expect(junk?.error).toMatch(/Invalid resume value/);
    await agent.invoke(new Command({ resume: { action: "edit", args: { to: "boss@example.com", body: "edited" } } }), config);
    expect(runs.filter((run) => run.tool === "send_email").map((run) => run.args)).toEqual([{ to: "boss@example.com", body: "edited" }]);
    expect(textOf(model.calls[1]?.at(-1))).toContain("after sent to boss@example.com");
  });

  it("a rejected call throws ToolRejectedError in the code, which can catch it and go on", async () => {
    const code = [
      "let outcome;",
      "try { outcome = await send_email({ to: 'a@example.com', body: 'x' }); }",
      "catch (error) { outcome = [error instanceof ToolRejectedError, error.name, error.message].join(' | '); }",
      "const after = await lookup({ id: 7 });",
      "console.log(outcome, after.id);",
    ].join("\n");
    const { agent, runs, model } = agentFor([js(code), "Done."]);
    const config = { configurable: { thread_id: "reject-1" } };
    await agent.invoke({ messages: [{ role: "user", content: "go" }] }, config);
    await agent.invoke(new Command({ resume: { action: "reject", reason: "not today" } }), config);
    expect(runs.map((run) => run.tool)).toEqual(["lookup"]);
    expect(textOf(model.calls[1]?.at(-1))).toContain("true | ToolRejectedError | send_email: the user rejected this call: not today. 7");
  });

  it("several gated calls in Promise.all and in a loop are each asked, in order, and each runs once", async () => {
    const code = [
      "const first = await Promise.all([1, 2, 3].map((i) => send_email({ to: `p${i}@example.com`, body: 'all' })));",
      "const looped = [];",
      "for (let i = 0; i < 2; i++) looped.push(await send_email({ to: `loop${i}@example.com`, body: 'loop' }).catch((e) => e.name));",
      "console.log(JSON.stringify({ first, looped }));",
    ].join("\n");
    const { agent, runs, model } = agentFor([js(code), "Done."]);
    const config = { configurable: { thread_id: "many-1" } };
    let result: unknown = await agent.invoke({ messages: [{ role: "user", content: "go" }] }, config);
    const asked: string[] = [];
    const answers = ["approve", "approve", "approve", "reject", "approve"];
    for (const action of answers) {
      const request = pending(result);
      expect(request).toBeDefined();
      asked.push((request?.args as { to: string }).to);
      result = await agent.invoke(new Command({ resume: { action } }), config);
    }
    expect(pending(result)).toBeUndefined();
    expect(asked).toEqual(["p1@example.com", "p2@example.com", "p3@example.com", "loop0@example.com", "loop1@example.com"]);
    expect(runs.map((run) => (run.args as { to: string }).to)).toEqual(["p1@example.com", "p2@example.com", "p3@example.com", "loop1@example.com"]);
    expect(textOf(model.calls[1]?.at(-1))).toContain(
      JSON.stringify({ first: ["sent to p1@example.com", "sent to p2@example.com", "sent to p3@example.com"], looped: ["ToolRejectedError", "sent to loop1@example.com"] })
    );
  });

  it("a quick resume in the same process carries on the paused cell (no re-run)", async () => {
    const code = "const started = Date.now();\nawait send_email({ to: 'a@example.com', body: 'x' });\nconsole.log('waited', Date.now() - started >= 300);";
    const { agent, model } = agentFor([js(code), "Done."]);
    const config = { configurable: { thread_id: "live-1" } };
    await agent.invoke({ messages: [{ role: "user", content: "go" }] }, config);
    await new Promise((resolve) => setTimeout(resolve, 350));
    await agent.invoke(new Command({ resume: { action: "approve" } }), config);
    expect(textOf(model.calls[1]?.at(-1))).toContain("waited true");
  });

  it.each(["in-process", "process"] as const)(
    "another process resumes (%s): the cell re-runs from its starting state, earlier calls answered from the record",
    async (isolation) => {
      const checkpointer = new MemorySaver();
      const code = [
        "counter += 1;",
        "const started = Date.now();",
        "const users = [];",
        "for (let id = 1; id <= 3; id++) users.push(await lookup({ id }));",
        "const sent = await send_email({ to: users[2].email, body: 'n=' + counter });",
        "console.log(sent, counter, Date.now() - started < 300);",
      ].join("\n");
      const setup = "var counter = 10;";
      const a = agentFor([js(setup), "set", js(code)], { isolation, checkpointer });
      const config = { configurable: { thread_id: `durable-${isolation}` } };
      await a.agent.invoke({ messages: [{ role: "user", content: "setup" }] }, config);
      const first = await a.agent.invoke({ messages: [{ role: "user", content: "go" }] }, config);
      expect(pending(first)?.args).toEqual({ to: "user3@example.com", body: "n=11" });
      expect(a.runs.map((run) => run.tool)).toEqual(["lookup", "lookup", "lookup"]);
      await new Promise((resolve) => setTimeout(resolve, 350));

      // "Another process": another executor and agent on the same checkpoints.
      const b = agentFor(["Done."], { isolation, checkpointer });
      const done = await b.agent.invoke(new Command({ resume: { action: "approve" } }), config);
      // Nothing ran twice: the lookups were answered from the record, the email ran once (in B).
      expect(a.runs.map((run) => run.tool)).toEqual(["lookup", "lookup", "lookup"]);
      expect(b.runs).toEqual([{ tool: "send_email", args: { to: "user3@example.com", body: "n=11" } }]);
      const observation = textOf(b.model.calls[0]?.at(-1));
      // Re-run from the state the cell started from: counter went 10 → 11 once, not twice.
      expect(observation).toContain("sent to user3@example.com 11 true");
      expect(done.variables).toMatchObject({ counter: 11 });
      // The first process's paused cell is gone with the state it was paused in: resuming there again is not possible.
    }
  );

  it("a re-run whose calls differ from the record stops with ToolReplayError, calling nothing twice", async () => {
    const checkpointer = new MemorySaver();
    const code = [
      "const id = Math.floor(Math.random() * 1e9);",
      "await lookup({ id });",
      "await send_email({ to: 'x@example.com', body: String(id) });",
      "await lookup({ id: id + 1 });",
    ].join("\n");
    const a = agentFor([js(code)], { checkpointer });
    const config = { configurable: { thread_id: "mismatch-1" } };
    await a.agent.invoke({ messages: [{ role: "user", content: "go" }] }, config);
    const b = agentFor(["Noted."], { checkpointer });
    await b.agent.invoke(new Command({ resume: { action: "approve" } }), config);
    expect(a.runs).toHaveLength(1);
    expect(b.runs).toEqual([]);
    const observation = textOf(b.model.calls[0]?.at(-1));
    expect(observation).toContain("ToolReplayError");
    expect(observation).toContain("never called twice");
  });

  it("a new message instead of an answer abandons the paused cell: nothing of it runs on", async () => {
    const code = "leaked = 1;\nawait send_email({ to: 'a@example.com', body: 'x' });\nleaked = 2;\nawait lookup({ id: 99 });";
    const { agent, runs, model } = agentFor([js(code), js("console.log(typeof leaked)"), "Fine."]);
    const config = { configurable: { thread_id: "abandon-1" } };
    expect(pending(await agent.invoke({ messages: [{ role: "user", content: "go" }] }, config))).toBeDefined();
    const next = await agent.invoke({ messages: [{ role: "user", content: "never mind" }] }, config);
    expect(pending(next)).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(runs).toEqual([]);
    // The new cell ran in a session rebuilt from the thread's state, without the half-run cell's variable.
    expect(textOf(model.calls[2]?.at(-1))).toContain("undefined");
    expect(next.toolApproval).toBeNull();
  });

  it.each(["in-process", "process"] as const)("a quick resume carries on the cell in process isolation too (%s)", async (isolation) => {
    const code = "const started = Date.now();\nconst r = await send_email({ to: 'a@example.com', body: 'x' });\nconsole.log(r, Date.now() - started >= 300);";
    const { agent, runs, model } = agentFor([js(code), "Done."], { isolation });
    const config = { configurable: { thread_id: `live-${isolation}` } };
    await agent.invoke({ messages: [{ role: "user", content: "go" }] }, config);
    await new Promise((resolve) => setTimeout(resolve, 350));
    await agent.invoke(new Command({ resume: { action: "approve" } }), config);
    expect(runs).toHaveLength(1);
    expect(textOf(model.calls[1]?.at(-1))).toContain("sent to a@example.com true");
  });

  it("a cell that reached its time limit while it waited is re-run from the record when the answer comes", async () => {
    const code = "counter = (typeof counter === 'number' ? counter : 0) + 1;\nawait lookup({ id: 1 });\nconst r = await send_email({ to: 'a@example.com', body: 'x' });\nconsole.log(r, counter);";
    const { agent, runs, model } = agentFor([js(code), "Done."], { timeoutMs: 400 });
    const config = { configurable: { thread_id: "timed-out-1" } };
    await agent.invoke({ messages: [{ role: "user", content: "go" }] }, config);
    await new Promise((resolve) => setTimeout(resolve, 700));
    const done = await agent.invoke(new Command({ resume: { action: "approve" } }), config);
    expect(runs.map((run) => run.tool)).toEqual(["lookup", "send_email"]);
    expect(textOf(model.calls[1]?.at(-1))).toContain("sent to a@example.com 1");
    expect(done.variables).toMatchObject({ counter: 1 });
  });

  it("a predicate decides per call, from the tool's name and its arguments", async () => {
    const code = "await send_email({ to: 'me@us.example', body: 'a' });\nawait send_email({ to: 'them@else.example', body: 'b' });\nawait lookup({ id: 5 });";
    const policy: ToolApprovalPolicy = (name, args) => name === "send_email" && !String((args as { to: string }).to).endsWith("@us.example");
    const { agent, runs } = agentFor([js(code), "Done."], { policy });
    const config = { configurable: { thread_id: "predicate-1" } };
    const first = await agent.invoke({ messages: [{ role: "user", content: "go" }] }, config);
    expect(pending(first)?.args).toEqual({ to: "them@else.example", body: "b" });
    expect(runs.map((run) => (run.args as { to?: string }).to)).toEqual(["me@us.example"]);
    await agent.invoke(new Command({ resume: { action: "approve" } }), config);
    expect(runs.map((run) => run.tool)).toEqual(["send_email", "send_email", "lookup"]);
  });

  it("names that are not tools of the agent are an error at construction", () => {
    const { tools } = countingTools();
    expect(() => createCodeActAgent({ model: new ScriptedChatModel([]), tools, approveToolCalls: ["send_mail"] })).toThrow(
      /approveToolCalls` names "send_mail", which is not a tool of this agent \(its tools: lookup, send_email\)/
    );
    expect(() => createCodeActAgent({ model: new ScriptedChatModel([]), tools, approveToolCalls: "send_email" as never })).toThrow(
      /list of tool names or a function/
    );
  });

  it("hand-wired nodes: with the plain edge after execute the model node says to use afterExecute; with it, approvals work", async () => {
    const { runs, tools } = countingTools();
    const executor = new IsolatedVmExecutor({ isolation: "in-process" });
    executors.push(executor);
    const build = (useAfterExecute: boolean) => {
      const nodes = createCodeActNodes({
        model: new ScriptedChatModel([js("await send_email({ to: 'a@example.com', body: 'x' })"), "Done."]),
        tools,
        executor,
        approveToolCalls: ["send_email"],
      });
      const graph = new StateGraph(CodeActState)
        .addNode(NODE_MODEL, nodes.model)
        .addNode(NODE_ROUTE, nodes.route, { ends: [NODE_EXECUTE, NODE_MODEL, END] })
        .addNode(NODE_EXECUTE, nodes.execute)
        .addEdge(START, NODE_MODEL)
        .addConditionalEdges(NODE_MODEL, nodes.afterModel, [NODE_ROUTE, END]);
      return (useAfterExecute
        ? graph.addConditionalEdges(NODE_EXECUTE, nodes.afterExecute, [NODE_MODEL, NODE_ROUTE])
        : graph.addEdge(NODE_EXECUTE, NODE_MODEL)
      ).compile({ checkpointer: new MemorySaver() });
    };
    const wrong = build(false);
    await expect(wrong.invoke({ messages: [{ role: "user", content: "go" }] }, { configurable: { thread_id: "wired-wrong" } })).rejects.toThrow(
      /wire the edge after `execute` with `afterExecute`/
    );
    const right = build(true);
    const config = { configurable: { thread_id: "wired-right" } };
    expect(pending(await right.invoke({ messages: [{ role: "user", content: "go" }] }, config))?.tool).toBe("send_email");
    await right.invoke(new Command({ resume: { action: "approve" } }), config);
    expect(runs.map((run) => run.tool)).toEqual(["send_email"]);
  });
});
