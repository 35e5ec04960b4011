import { OutputBuffer } from "../../src/shared/clip.js";

describe("OutputBuffer", () => {
  it("keeps everything within the budget", () => {
    const buffer = new OutputBuffer(10);
    buffer.append("abc");
    buffer.append("defghij");
    expect(buffer.toString()).toBe("abcdefghij");
    expect(buffer.truncated).toBe(false);
  });

  it("keeps head and tail with a marker counting what was cut", () => {
    const buffer = new OutputBuffer(10);
    for (let i = 0; i < 1000; i += 1) buffer.append(String(i % 10));
    expect(buffer.truncated).toBe(true);
    expect(buffer.toString()).toBe("01234\n... [990 characters truncated] ...\n56789");
  });

  it("fits the marker within a budget that has room for it", () => {
    const buffer = new OutputBuffer(100);
    const text = Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join("");
    buffer.append(text);
    const output = buffer.toString();
    expect(output.length).toBeLessThanOrEqual(100);
    expect(output.startsWith("line 0\nline 1\n")).toBe(true);
    expect(output.endsWith("line 998\nline 999\n")).toBe(true);
    const cut = Number(/\.\.\. \[(\d+) characters truncated\] \.\.\./.exec(output)?.[1]);
    const marker = `\n... [${cut} characters truncated] ...\n`;
    expect(output.length - marker.length + cut).toBe(text.length);
  });

  it("truncate() caps a whole string the same way", () => {
    expect(OutputBuffer.truncate("short", 100)).toEqual({ text: "short", truncated: false });
    const { text, truncated } = OutputBuffer.truncate("x".repeat(5000), 200);
    expect(truncated).toBe(true);
    expect(text.length).toBeLessThanOrEqual(200);
    expect(text).toContain("characters truncated");
  });
});
