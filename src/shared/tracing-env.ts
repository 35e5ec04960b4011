/** The environment variables LangChain reads to turn tracing on (any set to `"true"`). */
export const TRACING_ENV_VARS = [
  "LANGSMITH_TRACING",
  "LANGSMITH_TRACING_V2",
  "LANGCHAIN_TRACING_V2",
  "LANGCHAIN_TRACING",
] as const;

/** Does the environment turn LangSmith tracing on, as LangChain reads it? */
export function isTracingEnabledByEnvironment(
  env: Record<string, string | undefined> = process.env
): boolean {
  return TRACING_ENV_VARS.some((name) => env[name] === "true");
}
