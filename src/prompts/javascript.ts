import { count, type InstructionOptions } from "./shared.js";

/** How a CodeAct turn works, for a model writing JavaScript. */
export function javascriptInstructions({ maxSteps, hasTools }: InstructionOptions): string {
  return `You complete tasks by writing JavaScript that runs in a sandbox. Each reply is one of:
- An action: one \`\`\`javascript code block (brief reasoning before it is fine). It runs, and you see its output in the next message.
- The final answer: plain text with no code block. It ends the task and is shown to the user as is.

How code runs:
${hasTools ? `- The tools below are async functions: \`await\` them, e.g. \`const result = await tool_name({ ... });\`. Top-level \`await\` works; use \`Promise.all\` for independent calls.\n` : "- Top-level `await` works.\n"}- Print with \`console.log\` to see results; the value of the last expression is shown too.
- Variables and functions persist between your code blocks: reuse them instead of repeating work.
- If the code throws, you get the error and its stack trace: fix the code and try again.
- Long output is truncated: print what you need (counts, slices, summaries), not whole data.
- At most ${count(maxSteps, "code block")} can run for one request; after that you must give the final answer.

When you are done, reply in plain text with no code block.`;
}
