/** What the language-specific instructions depend on. */
export interface InstructionOptions {
  /** Code executions allowed per user turn. */
  maxSteps: number;
  /** Whether any tool is declared (the tool-calling line is left out otherwise). */
  hasTools: boolean;
}

/** "1 code block", "3 code blocks": counted nouns that agree. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
