/** What the language-specific instructions depend on. */
export interface InstructionOptions {
  /** Code executions allowed per user turn. */
  maxSteps: number;
  /** Whether any tool is declared (the tool-calling line is left out otherwise). */
  hasTools: boolean;
}
