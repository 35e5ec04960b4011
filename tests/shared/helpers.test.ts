import { z } from "zod";
import { clip, clipText, truncationMarker } from "../../src/shared/clip.js";
import { base64Bytes, fileExtension, isBase64Image, isRichOutputMimeType } from "../../src/shared/mime.js";
import { TIMED_OUT, withTimeout } from "../../src/shared/timeout.js";
import { formatSchemaIssues } from "../../src/shared/zod-issues.js";

describe("clipText", () => {
  it("keeps short text whole and cuts long text to head, marker and tail within the budget", () => {
    expect(clipText("short", 10)).toEqual({ text: "short", truncated: false });
    const long = "a".repeat(500) + "b".repeat(500);
    const cut = clipText(long, 100);
    expect(cut.truncated).toBe(true);
    expect(cut.text.length).toBeLessThanOrEqual(100);
    expect(cut.text.startsWith("aaa")).toBe(true);
    expect(cut.text.endsWith("bbb")).toBe(true);
    const kept = cut.text.replace(/\n\.\.\. \[\d+ characters truncated\] \.\.\.\n/, "");
    expect(cut.text).toContain(truncationMarker(long.length - kept.length));
    expect(clip(long, 100)).toBe(cut.text);
  });
});

describe("withTimeout", () => {
  it("returns the value when it comes first, TIMED_OUT otherwise, and passes rejections on", async () => {
    await expect(withTimeout(Promise.resolve(7), 1000)).resolves.toBe(7);
    await expect(withTimeout(new Promise(() => undefined), 5)).resolves.toBe(TIMED_OUT);
    await expect(withTimeout(Promise.reject(new Error("no")), 1000)).rejects.toThrow("no");
  });
});

describe("MIME classification", () => {
  it("agrees on which outputs are base64 images", () => {
    for (const mime of ["image/png", "image/jpeg", "image/gif", "image/webp"]) {
      expect(isBase64Image(mime)).toBe(true);
      expect(isRichOutputMimeType(mime)).toBe(true);
    }
    for (const mime of ["image/svg+xml", "text/html", "application/json"]) {
      expect(isBase64Image(mime)).toBe(false);
      expect(isRichOutputMimeType(mime)).toBe(true);
    }
    expect(isRichOutputMimeType("application/x-evil")).toBe(false);
    expect(fileExtension("image/jpeg")).toBe("jpg");
    expect(fileExtension("text/html")).toBe("html");
  });

  it("sizes base64 without decoding, wrapped lines included", () => {
    const bytes = Buffer.from("hello world, twenty-six!!");
    const b64 = bytes.toString("base64");
    expect(base64Bytes(b64)).toBe(bytes.length);
    expect(base64Bytes(b64.replace(/(.{8})/g, "$1\n"))).toBe(bytes.length);
  });
});

describe("formatSchemaIssues", () => {
  it("names each problem with its path and says which fields are missing", () => {
    const schema = z.object({ city: z.string(), days: z.number().int().max(7), nested: z.object({ k: z.string() }) });
    const input = { days: 9, nested: {} };
    const result = schema.safeParse(input);
    expect(result.success).toBe(false);
    const text = formatSchemaIssues(result.error!.issues, input);
    expect(text).toMatch(/^city: missing \(expected string\)/);
    expect(text).toContain("days: ");
    expect(text).toContain("nested.k: missing (expected string)");
    expect(text.split("; ")).toHaveLength(3);
  });
});

describe("session changes", () => {
  it("render once, in words, from data; long name lists are counted", () => {
    const { describeSessionChange, combineSessionChanges, MAX_NOTICE_NAMES } = jest.requireActual(
      "../../src/executors/session-change.js"
    ) as typeof import("../../src/executors/session-change.js");
    expect(describeSessionChange({ restored: ["a", "b"], lost: [] })).toBe(
      "New session: restored variables a, b from the saved snapshot."
    );
    expect(describeSessionChange({ cause: "the sandbox was restarted after a timeout", restored: ["a"], lost: ["f"] })).toBe(
      "The sandbox was restarted after a timeout: variables a are restored from the last snapshot; f could not be restored and must be defined again."
    );
    const many = Array.from({ length: 1000 }, (_, i) => `v${i}`);
    const text = describeSessionChange({ restored: many, lost: [] });
    expect(text).toContain(`and ${1000 - MAX_NOTICE_NAMES} more`);
    expect(text.length).toBeLessThan(600);
    const huge = Array.from({ length: 100 }, (_, i) => `${"n".repeat(100_000)}${i}`);
    const hugeText = describeSessionChange({ restored: [], lost: huge });
    expect(hugeText.length).toBeLessThan(MAX_NOTICE_NAMES * 120 + 300);
    expect(hugeText).toContain("(100001 characters)");
    const combined = combineSessionChanges(
      { cause: "the sandbox process was replaced", restored: [], lost: ["x", "y"] },
      { restored: ["x"], lost: [], notes: ["Later."] }
    );
    expect(combined).toEqual({ cause: "the sandbox process was replaced", restored: ["x"], lost: ["y"], notes: ["Later."] });
  });
});
