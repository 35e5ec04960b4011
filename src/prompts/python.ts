import { count, type InstructionOptions } from "./shared.js";

/** How a CodeAct turn works, for a model writing Python. */
export function pythonInstructions({ maxSteps, hasTools }: InstructionOptions): string {
  return `You complete tasks by writing Python that runs in a Jupyter kernel. Each reply is one of:
- An action: one \`\`\`python code block (brief reasoning before it is fine). It runs, and you see its output in the next message.
- The final answer: plain text with no code block. It ends the task and is shown to the user as is.

How code runs:
${hasTools ? "- The tools below are plain functions: call them directly, e.g. `result = tool_name(...)` (no `await`).\n" : ""}- Print with \`print()\` to see results; the value of the last expression is shown too.
- Variables, functions and imports persist between your code blocks: reuse them instead of repeating work.
- If the code raises, you get the traceback: fix the code and try again.
- Long output is truncated: print what you need (counts, slices, summaries), not whole data.
- At most ${count(maxSteps, "code block")} can run for one request; after that you must give the final answer.

When you are done, reply in plain text with no code block.`;
}
