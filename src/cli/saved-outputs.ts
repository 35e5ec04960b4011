/**
 * Writes what cells display (charts, images, HTML tables) to files, so a
 * terminal user can open what the model made: the terminal can only name
 * them.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { RichOutput } from "../executors/types.js";
import { fileExtension, isBase64Image } from "../shared/mime.js";

/** A rich output written to disk. */
export interface SavedOutput {
  mimeType: string;
  /** Absolute path of the file. */
  path: string;
  bytes: number;
}

/**
 * Writes `outputs` of step `step` under `directory` (created when needed):
 * `step-<n>-<i>.<ext>`, images decoded from base64, text formats as UTF-8.
 */
export async function saveRichOutputs(outputs: readonly RichOutput[], directory: string, step: number): Promise<SavedOutput[]> {
  if (outputs.length === 0) return [];
  const folder = resolve(directory);
  await mkdir(folder, { recursive: true });
  const saved: SavedOutput[] = [];
  for (const [index, output] of outputs.entries()) {
    const content = isBase64Image(output.mimeType) ? Buffer.from(output.data, "base64") : Buffer.from(output.data, "utf8");
    const path = join(folder, `step-${step}-${index + 1}.${fileExtension(output.mimeType)}`);
    await writeFile(path, content);
    saved.push({ mimeType: output.mimeType, path, bytes: content.length });
  }
  return saved;
}
