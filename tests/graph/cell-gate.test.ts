/**
 * The gate a cell's tool calls pass under approveToolCalls, on its own: when
 * it pauses, what it records, how a re-run is answered from the record.
 */
import { tool } from "@langchain/core/tools";
import { z } from "zod";
import { CellGate, TOOL_REPLAY_ERROR } from "../../src/graph/tool-approval/cell-gate.js";
import type { RecordedToolCall } from "../../src/graph/tool-approval/types.js";

const read = tool(async ({ id }: { id: number }) => `row ${id}`, { name: "read", description: "r", schema: z.object({ id: z.number() }) });
const send = tool(async ({ to }: { to: string }) => `sent ${to}`, { name: "send", description: "s", schema: z.object({ to: z.string() }) });

/** A gate whose `send` calls wait, and a counter of real runs. */
function gateWith(record?: RecordedToolCall[]) {
  const ran: string[] = [];
  let mismatches = 0;
  const gate = new CellGate({
    needsApproval: (candidate) => candidate === send,
    ...(record !== undefined && { record }),
    onReplayMismatch: () => (mismatches += 1),
  });
  const call = (which: typeof read | typeof send, input: Record<string, unknown>) =>
    gate.call(which, input, async (args) => {
      ran.push(`${which.name}:${JSON.stringify(args)}`);
      if ((args as { id?: number }).id === 13) throw new Error("read: unlucky");
      return which.name === "read" ? `row ${(args as { id: number }).id}` : `sent ${(args as { to: string }).to}`;
    });
  return { gate, ran, call, mismatches: () => mismatches };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe("CellGate", () => {
  it("pauses only once the calls running beside a gated one have ended, and records how each ended", async () => {
    const { gate, ran, call } = gateWith();
    let pausedAt = -1;
    void gate.paused().then(() => (pausedAt = ran.length));
    const slow = call(read, { id: 1 });
    const gated = call(send, { to: "a" });
    const failing = call(read, { id: 13 }).catch((error: Error) => error.message);
    await expect(slow).resolves.toBe("row 1");
    expect(await failing).toBe("read: unlucky");
    await settled();
    expect(pausedAt).toBe(2);
    expect(gate.pauses).toBe(1);
    expect(gate.calls).toEqual([
      { tool: "read", args: { id: 1 }, outcome: { ok: true, value: "row 1" } },
      { tool: "send", args: { to: "a" }, awaiting: true },
      { tool: "read", args: { id: 13 }, outcome: { ok: false, error: { name: "Error", message: "read: unlucky" } } },
    ]);
    // A call made while paused is held: not run, not recorded, until the answer.
    const held = call(read, { id: 2 });
    await settled();
    expect(ran).toEqual(['read:{"id":1}', 'read:{"id":13}']);
    gate.decide(gate.calls.map((recorded, index) => (index === 1 ? { ...recorded, decision: { action: "approve" } } : recorded)));
    await expect(gated).resolves.toBe("sent a");
    await expect(held).resolves.toBe("row 2");
    expect(ran).toEqual(['read:{"id":1}', 'read:{"id":13}', 'send:{"to":"a"}', 'read:{"id":2}']);
    expect(gate.calls.map((recorded) => recorded.tool)).toEqual(["read", "send", "read", "read"]);
  });

  it("does not ask about a gated call whose input the schema refuses: the tool's own validation fails it", async () => {
    const { gate, call } = gateWith();
    let paused = false;
    void gate.paused().then(() => (paused = true));
    // The fake invoke does not validate; a real one throws the tool's input error. Either way, no pause.
    await call(send, { to: 42 });
    await settled();
    expect(paused).toBe(false);
    expect(gate.calls[0]).toMatchObject({ tool: "send", outcome: { ok: true } });
  });

  it("answers a re-run from the record (reordered calls with the same arguments too) and carries out recorded answers", async () => {
    const record: RecordedToolCall[] = [
      { tool: "read", args: { id: 1 }, outcome: { ok: true, value: "row 1 (first run)" } },
      { tool: "read", args: { id: 2 }, outcome: { ok: false, error: { name: "Error", message: "read: gone" } } },
      { tool: "send", args: { to: "a" }, awaiting: true, decision: { action: "edit", args: { to: "b" } } },
      { tool: "send", args: { to: "c" }, awaiting: true, decision: { action: "reject", reason: "no" } },
    ];
    const { gate, ran, call } = gateWith(record);
    await expect(call(read, { id: 2 })).rejects.toThrow("read: gone");
    await expect(call(read, { id: 1 })).resolves.toBe("row 1 (first run)");
    await expect(call(send, { to: "a" })).resolves.toBe("sent b");
    await expect(call(send, { to: "c" })).rejects.toMatchObject({ name: "ToolRejectedError", message: "send: the user rejected this call: no." });
    // Beyond the record, calls run as usual.
    await expect(call(read, { id: 3 })).resolves.toBe("row 3");
    expect(ran).toEqual(['send:{"to":"b"}', 'read:{"id":3}']);
    expect(gate.unreplayed).toBe(0);
    expect(gate.mismatch).toBeUndefined();
  });

  it("stops a re-run at the first call the record does not have, and runs nothing after it", async () => {
    const record: RecordedToolCall[] = [
      { tool: "read", args: { id: 1 }, outcome: { ok: true, value: "row 1" } },
      { tool: "read", args: { id: 2 }, outcome: { ok: true, value: "row 2" } },
    ];
    const { gate, ran, call, mismatches } = gateWith(record);
    await call(read, { id: 1 });
    await expect(call(read, { id: 7 })).rejects.toMatchObject({ name: TOOL_REPLAY_ERROR });
    expect(gate.mismatch).toContain('read({"id":7})');
    expect(gate.mismatch).toContain('read({"id":2})');
    await expect(call(read, { id: 2 })).rejects.toMatchObject({ name: TOOL_REPLAY_ERROR });
    await expect(call(send, { to: "x" })).rejects.toMatchObject({ name: TOOL_REPLAY_ERROR });
    expect(ran).toEqual([]);
    expect(mismatches()).toBe(1);
  });

  it("counts recorded calls a re-run never made", async () => {
    const { gate, call } = gateWith([
      { tool: "read", args: { id: 1 }, outcome: { ok: true, value: "row 1" } },
      { tool: "read", args: { id: 2 }, outcome: { ok: true, value: "row 2" } },
      { tool: "send", args: { to: "a" }, awaiting: true },
    ]);
    await call(read, { id: 1 });
    // The unanswered gated call is not a call that happened: it does not count.
    expect(gate.unreplayed).toBe(1);
  });

  it("abandoning the cell rejects the waiting call and every later one", async () => {
    const { gate, ran, call } = gateWith();
    const waiting = call(send, { to: "a" });
    await gate.paused();
    gate.abandon("This cell was abandoned: test.");
    await expect(waiting).rejects.toMatchObject({ name: TOOL_REPLAY_ERROR });
    await expect(call(read, { id: 1 })).rejects.toThrow("abandoned");
    expect(ran).toEqual([]);
  });
});
