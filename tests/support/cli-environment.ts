/** Imported by the CLI tests and by the CLI benchmark, which runs as an ES module: nothing CommonJS-only (`__dirname`) here. */

/** Variables the CLI reads that must not leak in from a test's (or benchmark's) environment. */
export const CLEARED_VARIABLES = [
  "OPENAI_API_KEY",
  "OPENAI_BASE_URL",
  "CODEACT_MODEL",
  "CODEACT_DEBUG",
  "JUPYTER_URL",
  "JUPYTER_TOKEN",
  "NODE_OPTIONS",
  "NO_COLOR",
  "FORCE_COLOR",
  "LANGSMITH_TRACING",
  "LANGCHAIN_TRACING_V2",
];
