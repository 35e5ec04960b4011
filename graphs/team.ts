/**
 * Studio entry point `team`: a lead agent (tool-calling, built with
 * `@langchain/langgraph-supervisor`) that delegates to a JavaScript CodeAct
 * analyst and a Python CodeAct analyst. The analysts are subgraphs, so the
 * graph view with xray shows each one's `model`, `execute` and `route`.
 *
 * The export is a graph factory: the server calls it with the run's config
 * and it returns the team for the lead's settings (cached). The analysts read
 * their settings per run, like the single-agent graphs.
 */
import type { RunnableConfig } from "@langchain/core/runnables";
import { createSupervisor } from "@langchain/langgraph-supervisor";
import { createConfigurableCodeActAgent } from "./configurable-agent.js";
import { demoTools } from "./demo-tools.js";
import { chatModelFor } from "./runtime.js";
import { AgentSettingsAnnotation, readAgentSettings } from "./settings.js";

export const LEAD_NAME = "lead";
export const JS_ANALYST_NAME = "js_analyst";
export const PYTHON_ANALYST_NAME = "python_analyst";

const LEAD_PROMPT = [
  "You lead a team of two analysts who answer by writing and running code.",
  `Hand a task to ${JS_ANALYST_NAME} for JavaScript work (APIs, JSON, string processing)`,
  `and to ${PYTHON_ANALYST_NAME} for data analysis, statistics and plots (Python).`,
  "Give each one task at a time; when you have what the user asked for, answer the user yourself.",
].join(" ");

export const jsAnalyst = createConfigurableCodeActAgent({
  name: JS_ANALYST_NAME,
  description: "Writes and runs JavaScript; can call weather and currency tools.",
  language: "javascript",
  tools: demoTools,
});

export const pythonAnalyst = createConfigurableCodeActAgent({
  name: PYTHON_ANALYST_NAME,
  description: "Writes and runs Python (pandas, numpy, matplotlib) in a Jupyter kernel; can call weather and currency tools.",
  language: "python",
  tools: demoTools,
});

/**
 * The supervisor's agent type has node functions over `any` state; a graph
 * with typed node functions is not assignable to it (parameter variance), so
 * the analysts are passed through this alias. Runtime needs only a compiled
 * graph with a name.
 */
type SupervisorAgents = Parameters<typeof createSupervisor>[0]["agents"];

function buildTeam(config: RunnableConfig | undefined) {
  return createSupervisor({
    agents: [jsAnalyst, pythonAnalyst] as unknown as SupervisorAgents,
    llm: chatModelFor(readAgentSettings(config)),
    prompt: LEAD_PROMPT,
    supervisorName: LEAD_NAME,
    contextSchema: AgentSettingsAnnotation,
  }).compile({ name: "team" });
}

const teams = new Map<string, ReturnType<typeof buildTeam>>();

/** The team for the lead model of the run's settings. */
export function graph(config?: RunnableConfig): ReturnType<typeof buildTeam> {
  const settings = readAgentSettings(config);
  const key = JSON.stringify([settings.model, settings.baseUrl, settings.temperature]);
  let team = teams.get(key);
  if (team === undefined) {
    team = buildTeam(config);
    teams.set(key, team);
  }
  return team;
}
