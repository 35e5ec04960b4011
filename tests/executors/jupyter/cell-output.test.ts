import { CellOutput, cellNotes } from "../../../src/executors/jupyter/cell-output.js";
import type { KernelMessage } from "../../../src/executors/jupyter/kernel-protocol.js";

const limits = { maxOutputChars: 1_000, maxRichOutputs: 3, maxRichOutputChars: 10_000 };

function message(msgType: string, content: Record<string, unknown>): KernelMessage {
  return {
    channel: "iopub",
    header: { msg_id: "m", msg_type: msgType, session: "s", username: "u", date: "", version: "5.3" },
    parent_header: {},
    metadata: {},
    content,
  };
}

describe("CellOutput", () => {
  it("interleaves streams in order, streams them live and keeps the value apart", () => {
    const chunks: string[] = [];
    const output = new CellOutput(limits, (chunk) => chunks.push(chunk));
    output.handle(message("stream", { name: "stdout", text: "one\n" }));
    output.handle(message("stream", { name: "stderr", text: "two\n" }));
    output.handle(message("execute_result", { data: { "text/plain": "42" } }));
    expect(output.output).toBe("one\ntwo\n");
    expect(chunks).toEqual(["one\n", "two\n"]);
    expect(output.value).toBe("42");
  });

  it("keeps every raster image type, SVG, HTML and JSON, and joins nbformat line arrays", () => {
    const output = new CellOutput({ ...limits, maxRichOutputs: 10 });
    for (const mimeType of ["image/png", "image/jpeg", "image/gif", "image/webp"]) {
      output.handle(message("display_data", { data: { [mimeType]: "iVBO\nRw0=\n", "text/plain": "<Figure>" } }));
    }
    output.handle(message("display_data", { data: { "text/html": ["<b>", "x</b>"] } }));
    output.handle(message("display_data", { data: { "application/json": { a: 1 } } }));
    expect(output.outputs.map((item) => item.mimeType)).toEqual([
      "image/png", "image/jpeg", "image/gif", "image/webp", "text/html", "application/json",
    ]);
    // base64 lines joined, text forms kept
    expect(output.outputs[0]).toEqual({ mimeType: "image/png", data: "iVBORw0=", text: "<Figure>" });
    expect(output.outputs[4]?.data).toBe("<b>x</b>");
    expect(output.outputs[5]?.data).toBe('{"a":1}');
    expect(output.output).toBe("");
  });

  it("prints a display with only a text form", () => {
    const output = new CellOutput(limits);
    output.handle(message("display_data", { data: { "text/plain": "plain" } }));
    expect(output.output).toBe("plain\n");
  });

  it("caps the number and the total size of rich outputs and says how many were dropped", () => {
    const output = new CellOutput(limits);
    for (let index = 0; index < 5; index += 1) {
      output.handle(message("display_data", { data: { "text/html": `<p>${index}</p>` } }));
    }
    expect(output.outputs).toHaveLength(3);
    expect(output.output).toMatch(/\[2 rich output\(s\) dropped/);

    const sized = new CellOutput(limits);
    sized.handle(message("display_data", { data: { "image/png": "A".repeat(6_000) } }));
    sized.handle(message("display_data", { data: { "image/png": "B".repeat(6_000) } }));
    sized.handle(message("display_data", { data: { "text/html": "small" } }));
    expect(sized.outputs.map((item) => item.data.slice(0, 1))).toEqual(["A", "s"]);
    expect(sized.output).toMatch(/\[1 rich output\(s\) dropped/);
  });

  it("caps output, value, error name, message and traceback, and strips ANSI codes", () => {
    const output = new CellOutput(limits);
    output.handle(message("stream", { name: "stdout", text: "x".repeat(5_000) }));
    output.handle(message("execute_result", { data: { "text/plain": "v".repeat(5_000) } }));
    output.handle(
      message("error", {
        ename: "E".repeat(10_000),
        evalue: "m".repeat(3_000_000),
        traceback: ["\u001b[31mline one\u001b[0m", ...Array.from({ length: 100_000 }, () => "frame")],
      })
    );
    expect(output.truncated).toBe(true);
    expect(output.output.length).toBeLessThanOrEqual(1_000);
    expect(output.value?.length).toBeLessThanOrEqual(1_000);
    expect(output.error?.name.length).toBeLessThanOrEqual(200);
    expect(output.error?.message.length).toBeLessThanOrEqual(1_000);
    expect(output.error?.message).toMatch(/characters truncated/);
    expect(output.error?.traceback?.length).toBeLessThanOrEqual(1_000);
    expect(output.error?.traceback).toMatch(/^line one\nframe/);
    expect(output.error?.traceback).not.toContain("\u001b[");
  });

  it("survives a throwing live listener and ignores other message types", () => {
    const output = new CellOutput(limits, () => {
      throw new Error("listener");
    });
    output.handle(message("stream", { text: "ok" }));
    output.handle(message("comm_open", { data: {} }));
    expect(output.output).toBe("ok");
  });
});

describe("cellNotes", () => {
  it("says nothing when nothing was left behind", () => {
    expect(cellNotes({ lateChars: 0, running: { threads: 0, processes: [] } })).toEqual([]);
  });

  it("names dropped late output and what still runs", () => {
    const notes = cellNotes({ lateChars: 12, running: { threads: 2, processes: [41, 42] } }).join("");
    expect(notes).toMatch(/12 characters printed by threads of earlier cells were dropped/);
    expect(notes).toMatch(/2 thread\(s\) started by this or earlier cells still running/);
    expect(notes).toMatch(/2 child process\(es\) still running \(pid 41, 42\)/);
  });
});
