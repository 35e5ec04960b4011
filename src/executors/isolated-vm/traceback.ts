/** A guest stack trace as the model should read it: positions in its own cell. */

/**
 * Our prefix shares the cell's first line: shift those columns back. The
 * frame of our wrapper's call (the line after the cell) is dropped.
 */
export function fixTraceback(stack: string, filename: string, offset: number, code: string): string {
  const escaped = filename.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const wrapperLine = code.split("\n").length + 1;
  return stack
    .split("\n")
    .filter((line) => !new RegExp(`^\\s+at (async )?${escaped}:${wrapperLine}:\\d+$`).test(line))
    .join("\n")
    .replace(new RegExp(`${escaped}:1:(\\d+)`, "g"), (_match, column: string) => {
      return `${filename}:1:${Math.max(1, Number(column) - offset)}`;
    });
}
