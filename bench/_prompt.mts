import { buildSystemPrompt } from "../src/prompts/index.js";
import { IsolatedVmExecutor } from "../src/executors/isolated-vm/index.js";
import { JupyterExecutor } from "../src/executors/jupyter/index.js";
import { tool } from "@langchain/core/tools";
import { z } from "zod";
import { getEncoding } from "js-tiktoken";
const enc = getEncoding("o200k_base");
const tools = Array.from({ length: 10 }, (_, i) => tool(async () => 1, { name: `tool_${i}`, description: `Does thing ${i}.`, schema: z.object({ a: z.string().describe("an arg"), n: z.number().int().optional() }) }));
const js = new IsolatedVmExecutor({ isolation: "in-process", prewarmSessions: 0 });
const py = new JupyterExecutor({ baseUrl: "http://127.0.0.1:9/" });
for (const [lang, ex] of [["javascript", js], ["python", py]] as const) for (const t of [0, 10]) {
  const text = await buildSystemPrompt({ language: lang, tools: tools.slice(0, t), maxSteps: 20, executorDescription: ex.description });
  console.log(lang, t, enc.encode(text).length);
}
await js.close();
