/**
 * Studio entry point `codeact_js` (see langgraph.json): a CodeAct agent that
 * writes JavaScript, run in an isolated-vm sandbox, with two demo tools. The
 * model and limits are per-assistant settings (./settings.ts); the API key
 * comes from `OPENAI_API_KEY`. The LangGraph server supplies the checkpointer.
 */
import { createConfigurableCodeActAgent } from "./configurable-agent.js";
import { demoTools } from "./demo-tools.js";

export const graph = createConfigurableCodeActAgent({
  name: "codeact_js",
  description: "Answers questions by writing JavaScript that calls weather and currency tools.",
  language: "javascript",
  tools: demoTools,
});
