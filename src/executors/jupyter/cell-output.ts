/** Turns a cell's iopub messages into the parts of an ExecuteResult. */
import { stripVTControlCharacters } from "node:util";
import type { ExecutionError, RichOutput } from "../types.js";
import { OutputBuffer } from "../../shared/clip.js";
import { isBase64Image, isRichOutputMimeType } from "../../shared/mime.js";
import type { KernelMessage } from "./kernel-protocol.js";

/**
 * Rich MIME types kept as outputs, in order of preference for display: the
 * package's classification (shared/mime.ts) decides which exist; this only
 * orders them as a notebook would pick one.
 */
const RICH_MIME_TYPES = [
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "image/svg+xml",
  "text/html",
  "application/json",
].filter(isRichOutputMimeType);

function mimeText(value: unknown): string {
  if (typeof value === "string") return value;
  // nbformat allows multi-line strings as arrays of lines.
  if (Array.isArray(value) && value.every((line) => typeof line === "string")) {
    return value.join("");
  }
  return JSON.stringify(value);
}

/** Collects one cell's output as the messages arrive. */
export class CellOutput {
  // Bounded: a kernel flooding stdout must not grow the host's memory.
  readonly #output: OutputBuffer;
  value: string | undefined;
  error: ExecutionError | undefined;
  readonly outputs: RichOutput[] = [];
  readonly #onOutput: ((chunk: string) => void) | undefined;

  constructor(maxOutputChars: number, onOutput?: (chunk: string) => void) {
    this.#output = new OutputBuffer(maxOutputChars);
    this.#onOutput = onOutput;
  }

  /** The output so far, head and tail kept within the cap. */
  get output(): string {
    return this.#output.toString();
  }

  get truncated(): boolean {
    return this.#output.truncated;
  }

  /** Appends text the model should read (streams, notes). */
  write(text: string): void {
    if (text.length === 0) return;
    this.#output.append(text);
    try {
      this.#onOutput?.(text);
    } catch {
      // A failing listener must not break the cell.
    }
  }

  handle(message: KernelMessage): void {
    const content = message.content;
    switch (message.header.msg_type) {
      case "stream":
        this.write(String(content.text ?? ""));
        break;
      case "execute_result":
      case "display_data":
      case "update_display_data": {
        const data = (content.data ?? {}) as Record<string, unknown>;
        const plain = data["text/plain"] === undefined ? undefined : mimeText(data["text/plain"]);
        const rich = this.#addRich(data, plain);
        if (message.header.msg_type === "execute_result") {
          if (plain !== undefined) this.value = plain;
        } else if (!rich && plain !== undefined) {
          this.write(plain.endsWith("\n") ? plain : `${plain}\n`);
        }
        break;
      }
      case "error":
        this.error = {
          name: String(content.ename ?? "Error"),
          message: String(content.evalue ?? ""),
          traceback: stripVTControlCharacters(
            Array.isArray(content.traceback) ? content.traceback.join("\n") : ""
          ),
        };
        break;
      default:
        break;
    }
  }

  #addRich(data: Record<string, unknown>, plain: string | undefined): boolean {
    let added = false;
    for (const mimeType of RICH_MIME_TYPES) {
      const value = data[mimeType];
      if (value === undefined) continue;
      let text = mimeText(value);
      if (isBase64Image(mimeType)) text = text.replace(/\s+/g, "");
      this.outputs.push(plain === undefined ? { mimeType, data: text } : { mimeType, data: text, text: plain });
      added = true;
    }
    return added;
  }
}
