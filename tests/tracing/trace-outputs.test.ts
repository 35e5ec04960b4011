import { createHash } from "node:crypto";
import type { ExecuteResult } from "../../src/executors/types.js";
import {
  cellTraceMetadata,
  cellTraceOutputs,
  DEFAULT_MAX_TRACE_TEXT_CHARS,
  traceRichOutput,
} from "../../src/tracing/index.js";
import { clip } from "../../src/shared/clip.js";

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
    // Cut with the package's one marker: head and tail kept, within the budget.
    expect(traced.preview).toBe(clip(json, 100));
    expect(traced.preview?.startsWith('{"rows":"xx')).toBe(true);
    expect(traced.preview?.endsWith('xx"}')).toBe(true);
    expect(traced.preview?.length).toBeLessThanOrEqual(100);
    expect(traced.text).toBe(clip("y".repeat(300), 100));
    expect(traced.text).toContain("characters truncated");
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
    // A budget smaller than the marker keeps head and tail around it.
    expect(traced.output).toBe(`${"o".repeat(5)}\n... [40 characters truncated] ...\n${"o".repeat(5)}`);
    expect(traced.value).toBe(`${"v".repeat(5)}\n... [40 characters truncated] ...\n${"v".repeat(5)}`);
    expect(traced.outputs?.[0]?.preview).toBe(clip("h".repeat(DEFAULT_MAX_TRACE_TEXT_CHARS * 2), DEFAULT_MAX_TRACE_TEXT_CHARS));
    expect(traced.outputs?.[0]?.preview?.length).toBeLessThanOrEqual(DEFAULT_MAX_TRACE_TEXT_CHARS);
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
