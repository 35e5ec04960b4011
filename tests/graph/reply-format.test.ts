/** The reply reader, table-driven over the corpus of reply shapes (tests/graph/reply-corpus.ts). */
import { readReply } from "../../src/graph/reply-format.js";
import { REPLY_CORPUS, REPLY_TOOLS } from "./reply-corpus.js";

describe("readReply", () => {
  it.each(REPLY_CORPUS.map((entry) => [entry.name, entry] as const))("%s", (_name, entry) => {
    const reading = readReply(entry.text, entry.language, REPLY_TOOLS);
    const { expected } = entry;
    expect(reading.kind).toBe(expected.kind);
    if (expected.kind === "code" && reading.kind === "code") expect(reading.code).toBe(expected.code);
    if (expected.kind === "format_error" && reading.kind === "format_error") expect(reading.problem).toContain(expected.mentions);
  });

  it("reads JSON as the answer, not a call, when the answer is checked against a schema", () => {
    expect(readReply('{"name": "search", "arguments": {"query": "x"}}', "python", REPLY_TOOLS, true)).toEqual({ kind: "answer" });
  });

  it("covers every shape the README lists", () => {
    const names = REPLY_CORPUS.map((entry) => entry.name).join("\n");
    for (const shape of ["Code:", "Action:", "<execute>", "<code>", "<end_code>", "left open", "file name", "inline code", "JSON tool call", "several blocks"]) {
      expect(names).toContain(shape);
    }
  });
});
