import { createHash } from "node:crypto";
import type { ExecuteResult } from "../../src/executors/types.js";
import {
  cellTraceMetadata,
  cellTraceOutputs,
  DEFAULT_MAX_TRACE_TEXT_CHARS,
  traceRichOutput,
} from "../../src/tracing/index.js";

const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");
const result = (partial: Partial<ExecuteResult>): ExecuteResult => ({
  output: "",
  outputs: [],
  durationMs: 0,
  ...partial,
});

describe("traceRichOutput", () => {
  it("describes base64 images by decoded size and hash, without data", () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    expect(traceRichOutput({ mimeType: "image/jpeg", data: jpeg.toString("base64") })).toEqual({
      mimeType: "image/jpeg",
      bytes: jpeg.length,
      sha256: sha256(jpeg),
    });
  });

  it("keeps short text outputs whole and clips long ones, counting UTF-8 bytes", () => {
    const svg = "<svg>é</svg>";
    expect(traceRichOutput({ mimeType: "image/svg+xml", data: svg })).toEqual({
      mimeType: "image/svg+xml",
      bytes: Buffer.byteLength(svg),
      sha256: sha256(svg),
      preview: svg,
    });
    const json = JSON.stringify({ rows: "x".repeat(500) });
    const traced = traceRichOutput({ mimeType: "application/json", data: json, text: "y".repeat(300) }, 100);
    expect(traced.preview).toBe(`${json.slice(0, 100)}… [${json.length - 100} more characters not traced]`);
    expect(traced.text).toBe(`${"y".repeat(100)}… [200 more characters not traced]`);
    expect(traced.truncated).toBe(true);
    expect(traced.bytes).toBe(json.length);
  });
});

describe("cellTraceOutputs", () => {
  it("records output, value and error, and omits outputs when there are none", () => {
    const error = { name: "TypeError", message: "x is not a function", traceback: "TypeError: x..." };
    expect(cellTraceOutputs(result({ output: "hi\n", value: "42", error }))).toEqual({
      output: "hi\n",
      value: "42",
      error,
    });
    expect(cellTraceOutputs(result({}))).toEqual({ output: "" });
  });

  it("caps printed text and rich outputs with the given limits", () => {
    const traced = cellTraceOutputs(
      result({
        output: "o".repeat(50),
        value: "v".repeat(50),
        outputs: [{ mimeType: "text/html", data: "h".repeat(DEFAULT_MAX_TRACE_TEXT_CHARS * 2) }],
      }),
      { maxOutputChars: 10 }
    );
    expect(traced.output).toBe(`${"o".repeat(10)}… [40 more characters not traced]`);
    expect(traced.value).toBe(`${"v".repeat(10)}… [40 more characters not traced]`);
    expect(traced.outputs?.[0]?.preview?.startsWith("h".repeat(DEFAULT_MAX_TRACE_TEXT_CHARS) + "…")).toBe(true);
  });
});

describe("cellTraceMetadata", () => {
  it("reports duration, truncation, rich output count and the error's name", () => {
    expect(
      cellTraceMetadata(
        result({
          durationMs: 12.6,
          truncated: true,
          outputs: [{ mimeType: "text/html", data: "<b>" }],
          error: { name: "TimeoutError", message: "too slow" },
        })
      )
    ).toEqual({
      codeact_duration_ms: 13,
      codeact_truncated: true,
      codeact_rich_outputs: 1,
      codeact_error: "TimeoutError",
    });
    expect(cellTraceMetadata(result({ durationMs: 3 }))).toEqual({
      codeact_duration_ms: 3,
      codeact_truncated: false,
      codeact_rich_outputs: 0,
    });
  });
});
