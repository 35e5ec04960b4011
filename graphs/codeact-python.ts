/**
 * Studio entry point `codeact_python`: a CodeAct agent that writes Python,
 * run in a Jupyter kernel. Kernels live on `JUPYTER_URL` (with
 * `JUPYTER_TOKEN`) when set, else on a local jupyter-server started on the
 * first cell and stopped when the server process exits.
 */
import { createConfigurableCodeActAgent } from "./configurable-agent.js";
import { demoTools } from "./demo-tools.js";

export const graph = createConfigurableCodeActAgent({
  name: "codeact_python",
  description: "Answers questions by writing Python (pandas, numpy, matplotlib) that calls weather and currency tools.",
  language: "python",
  tools: demoTools,
});
