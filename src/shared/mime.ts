/**
 * The one classification of rich-output MIME types. Executors keep these,
 * observations send the images to vision models, traces store references,
 * the CLI writes files: all of them ask here, so they agree.
 */

/** Raster images, carried base64-encoded in {@link RichOutput.data}. */
const BASE64_IMAGE_TYPES: ReadonlySet<string> = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

/** Text formats a rich output may carry (SVG is XML text, not base64). */
const TEXT_TYPES: ReadonlySet<string> = new Set([
  "image/svg+xml",
  "text/html",
  "text/markdown",
  "text/latex",
  "application/json",
]);

/** Every MIME type an executor keeps as a rich output. */
export const RICH_OUTPUT_MIME_TYPES: readonly string[] = [...BASE64_IMAGE_TYPES, ...TEXT_TYPES];

/** True for raster images: base64 data a vision model can be shown. */
export function isBase64Image(mimeType: string): boolean {
  return BASE64_IMAGE_TYPES.has(mimeType);
}

/** True for any MIME type an executor keeps as a rich output. */
export function isRichOutputMimeType(mimeType: string): boolean {
  return BASE64_IMAGE_TYPES.has(mimeType) || TEXT_TYPES.has(mimeType);
}

/** The usual file extension for a rich output's MIME type. */
export function fileExtension(mimeType: string): string {
  switch (mimeType) {
    case "image/png": return "png";
    case "image/jpeg": return "jpg";
    case "image/gif": return "gif";
    case "image/webp": return "webp";
    case "image/svg+xml": return "svg";
    case "text/html": return "html";
    case "text/markdown": return "md";
    case "text/latex": return "tex";
    case "application/json": return "json";
    default: return "bin";
  }
}

/** Decoded size of base64 text, without decoding it (Jupyter may wrap lines). */
export function base64Bytes(data: string): number {
  const compact = /\s/.test(data) ? data.replace(/\s+/g, "") : data;
  const padding = compact.endsWith("==") ? 2 : compact.endsWith("=") ? 1 : 0;
  return Math.max(0, Math.floor((compact.length * 3) / 4) - padding);
}
