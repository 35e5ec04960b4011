/** Turns a cell's iopub messages into the parts of an ExecuteResult, within caps. */
import { stripVTControlCharacters } from "node:util";
import type { ExecutionError, RichOutput } from "../types.js";
import { OutputBuffer, clip } from "../../shared/clip.js";
import { RICH_OUTPUT_MIME_TYPES, isBase64Image } from "../../shared/mime.js";
import type { KernelMessage } from "./kernel-protocol.js";

/** An exception's class name is short; anything longer is hostile. */
const MAX_ERROR_NAME_CHARS = 200;

/** Limits of one cell's collected output. */
export interface CellOutputLimits {
  /** Cap on the printed output, and on the value, error message and traceback each. */
  maxOutputChars: number;
  /** Most rich outputs kept; later ones are dropped with a note. */
  maxRichOutputs: number;
  /** Total characters of rich output data kept (base64 counts as it travels). */
  maxRichOutputChars: number;
}

function mimeText(value: unknown): string {
  if (typeof value === "string") return value;
  // nbformat allows multi-line strings as arrays of lines.
  if (Array.isArray(value) && value.every((line) => typeof line === "string")) {
    return value.join("");
  }
  return JSON.stringify(value) ?? "";
}

/** An error as the model reads it, every part capped. */
export function cappedError(
  name: unknown,
  message: unknown,
  traceback: string | undefined,
  maxChars: number
): ExecutionError {
  const error: ExecutionError = {
    name: clip(String(name ?? "Error"), MAX_ERROR_NAME_CHARS),
    message: clip(String(message ?? ""), maxChars),
  };
  if (traceback !== undefined) error.traceback = clip(traceback, maxChars);
  return error;
}

/** Collects one cell's output as the messages arrive. */
export class CellOutput {
  // Bounded: a kernel flooding stdout must not grow the host's memory.
  readonly #output: OutputBuffer;
  readonly #limits: CellOutputLimits;
  readonly #onOutput: ((chunk: string) => void) | undefined;
  #value: string | undefined;
  #richChars = 0;
  #droppedRich = 0;
  error: ExecutionError | undefined;
  readonly outputs: RichOutput[] = [];

  constructor(limits: CellOutputLimits, onOutput?: (chunk: string) => void) {
    this.#output = new OutputBuffer(limits.maxOutputChars);
    this.#limits = limits;
    this.#onOutput = onOutput;
  }

  /** The output so far, head and tail kept within the cap, and a note on dropped rich outputs. */
  get output(): string {
    const text = this.#output.toString();
    if (this.#droppedRich === 0) return text;
    const { maxRichOutputs, maxRichOutputChars } = this.#limits;
    return (
      `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}` +
      `[${this.#droppedRich} rich output(s) dropped: a cell keeps at most ${maxRichOutputs} ` +
      `and ${maxRichOutputChars} characters of them]\n`
    );
  }

  get truncated(): boolean {
    return this.#output.truncated;
  }

  /** The printed form of the cell's last expression, capped. */
  get value(): string | undefined {
    return this.#value;
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
          if (plain !== undefined) this.#value = clip(plain, this.#limits.maxOutputChars);
        } else if (!rich && plain !== undefined) {
          this.write(plain.endsWith("\n") ? plain : `${plain}\n`);
        }
        break;
      }
      case "error": {
        // Join only what can be kept: a traceback of a million lines is cut, not copied whole.
        const lines = Array.isArray(content.traceback) ? content.traceback : [];
        const traceback = new OutputBuffer(this.#limits.maxOutputChars);
        lines.forEach((line, index) => traceback.append((index > 0 ? "\n" : "") + String(line)));
        this.error = cappedError(
          content.ename,
          content.evalue,
          stripVTControlCharacters(traceback.toString()),
          this.#limits.maxOutputChars
        );
        break;
      }
      default:
        break;
    }
  }

  /** Keeps the rich forms of one display; true when it had any (kept or dropped). */
  #addRich(data: Record<string, unknown>, plain: string | undefined): boolean {
    let found = false;
    for (const mimeType of RICH_OUTPUT_MIME_TYPES) {
      const value = data[mimeType];
      if (value === undefined) continue;
      found = true;
      let text = mimeText(value);
      if (isBase64Image(mimeType)) text = text.replace(/\s+/g, "");
      const textChars = plain?.length ?? 0;
      if (
        this.outputs.length >= this.#limits.maxRichOutputs ||
        this.#richChars + text.length + textChars > this.#limits.maxRichOutputChars
      ) {
        this.#droppedRich += 1;
        continue;
      }
      this.#richChars += text.length + textChars;
      this.outputs.push(plain === undefined ? { mimeType, data: text } : { mimeType, data: text, text: plain });
    }
    return found;
  }
}

/** Notes for the model on what a cell left behind, from its snapshot. */
export function cellNotes(left: { lateChars: number; running: { threads: number; processes: readonly number[]; stopped?: number } }): string[] {
  const notes: string[] = [];
  if (left.lateChars > 0) {
    notes.push(
      `[${left.lateChars} characters printed by threads of earlier cells were dropped: output belongs to the cell that prints it]\n`
    );
  }
  const { threads, processes } = left.running;
  if (threads > 0) {
    notes.push(`[${threads} thread(s) started by this or earlier cells still running: what they print later is dropped and they cannot call tools; join() them inside the cell]\n`);
  }
  if (processes.length > 0) {
    notes.push(
      `[${processes.length} child process(es) still running (pid ${processes.slice(0, 10).join(", ")}): what they print may appear in the output of later cells; wait() for them or kill them]\n`
    );
  }
  if ((left.running.stopped ?? 0) > 0) {
    notes.push(
      `[the sandbox stopped ${left.running.stopped} process(es) this cell left running (detached ones too): in the sandbox a process ends with the cell that starts it]\n`
    );
  }
  return notes;
}
