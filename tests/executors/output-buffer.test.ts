import { OutputBuffer } from "../../../src/executors/isolated-vm/output-buffer.js";

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
});
