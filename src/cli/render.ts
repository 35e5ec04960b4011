/**
 * Live terminal rendering of a CodeAct run: each step's code, its output as
 * it streams, its value or error, then the final answer.
 *
 * @module
 */
import type { CodeLanguage, ExecuteResult } from "../executors/types.js";
import { sessionNoticeText } from "../executors/session-change.js";
import type { SavedOutput } from "./saved-outputs.js";

/** Where the renderer writes: `process.stdout`, `process.stderr`, or a test stream. */
export interface RenderTarget {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Environment variables that decide colour. */
export interface ColorEnvironment {
  NO_COLOR?: string | undefined;
  FORCE_COLOR?: string | undefined;
}

/**
 * Colour when the target is a terminal, unless `NO_COLOR` is set (to anything
 * but the empty string, per no-color.org); `FORCE_COLOR` (not `0`) forces it.
 */
export function shouldUseColor(target: RenderTarget, env: ColorEnvironment): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") return true;
  return target.isTTY === true;
}

/** Receives the events of a run, in order. */
export interface Renderer {
  /**
   * A code action is about to run. `step` counts from 1; `text` is what the
   * model wrote around its code (its reasoning), shown before the code.
   */
  stepStart(step: number, code: string, language: CodeLanguage, text?: string): void;
  /** Output the running cell printed. */
  output(chunk: string): void;
  /** The cell finished; `saved` are the files its rich outputs were written to. */
  stepEnd(result: ExecuteResult, saved?: readonly SavedOutput[]): void;
  /** The final answer. */
  answer(text: string): void;
}

export interface RendererOptions {
  target: RenderTarget;
  color: boolean;
  /** Only the final answer, without labels. */
  quiet: boolean;
}

const ANSI = {
  reset: "\u001b[0m",
  bold: "\u001b[1m",
  dim: "\u001b[2m",
  red: "\u001b[31m",
  green: "\u001b[32m",
  cyan: "\u001b[36m",
} as const;

type Style = keyof typeof ANSI;

/** Creates the renderer the CLI uses for humans. */
export function createRenderer(options: RendererOptions): Renderer {
  const { target, color, quiet } = options;
  const paint = (text: string, ...styles: Style[]): string =>
    color && text !== "" ? `${styles.map((style) => ANSI[style]).join("")}${text}${ANSI.reset}` : text;
  // Output may stop mid-line; labels must still start on a line of their own.
  let atLineStart = true;
  let streamedChars = 0;
  const write = (text: string): void => {
    if (text === "") return;
    target.write(text);
    atLineStart = text.endsWith("\n");
  };
  const line = (text: string): void => {
    if (!atLineStart) write("\n");
    write(`${text}\n`);
  };
  const label = (text: string, ...styles: Style[]): void => line(paint(`── ${text} ──`, ...styles));

  return {
    stepStart(step, code, language, text) {
      if (quiet) return;
      streamedChars = 0;
      label(`step ${step} · ${language}`, "bold", "cyan");
      const said = text?.trim();
      if (said) line(said);
      for (const codeLine of code.replace(/\s+$/, "").split("\n")) {
        line(`${paint("│", "cyan")} ${paint(codeLine, "dim")}`);
      }
    },
    output(chunk) {
      if (quiet) return;
      streamedChars += chunk.length;
      write(chunk);
    },
    stepEnd(result, saved = []) {
      if (quiet) return;
      // Executors that do not stream still report their output at the end.
      if (streamedChars === 0 && result.output !== "") write(result.output);
      const notice = sessionNoticeText(result);
      if (notice !== undefined) line(paint(`(${notice})`, "dim"));
      result.outputs.forEach((rich, index) => {
        const file = saved[index];
        line(
          file === undefined
            ? paint(`[${rich.mimeType} output, ${formatSize(rich.data.length, "chars")}]`, "dim")
            : `${paint(`[${rich.mimeType}, ${formatSize(file.bytes, "B")}]`, "dim")} ${file.path}`
        );
      });
      if (result.value !== undefined) line(`${paint("→", "green")} ${result.value}`);
      if (result.error !== undefined) {
        const { name, message, traceback } = result.error;
        const headline = `${name}: ${message}`;
        line(paint(`✗ ${headline}`, "bold", "red"));
        // A JavaScript stack starts with the headline again: print it once.
        const rest = traceback?.trim().replace(headline, "").replace(/^\s*\n/, "").trimEnd();
        if (rest !== undefined && rest !== "") line(paint(rest, "red"));
      }
      line(paint(`(${Math.round(result.durationMs)} ms)`, "dim"));
    },
    answer(text) {
      if (quiet) {
        write(text.endsWith("\n") ? text : `${text}\n`);
        return;
      }
      label("answer", "bold", "green");
      line(text.replace(/\s+$/, ""));
    },
  };
}

/** A renderer that shows nothing (`--json --quiet`). */
export const silentRenderer: Renderer = {
  stepStart() {},
  output() {},
  stepEnd() {},
  answer() {},
};

function formatSize(size: number, unit: string): string {
  return size < 1024 ? `${size} ${unit}` : `${Math.round(size / 1024)} KB`;
}
