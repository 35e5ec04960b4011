import { awaitAllCallbacks } from "@langchain/core/callbacks/promises";
import { tool } from "@langchain/core/tools";
import { z } from "zod";
import type { CapturedRun, RunNode } from "./capture-server.js";

/** API key the tests send; the capture server records the header. */
export const TEST_API_KEY = "lsv2-test-key";

/**
 * Points LangSmith at `endpoint` through the standard environment. LangChain
 * and langsmith read these lazily (tracing on/off on every run; endpoint and
 * key when the default client is first made), and jest gives each test file
 * its own copy of `process.env` and of the module singletons.
 */
export function useLangSmithEnvironment(endpoint: string, project: string, tracing = "true"): void {
  process.env["LANGSMITH_TRACING"] = tracing;
  process.env["LANGSMITH_ENDPOINT"] = endpoint;
  process.env["LANGSMITH_API_KEY"] = TEST_API_KEY;
  process.env["LANGSMITH_PROJECT"] = project;
}

/**
 * Waits until LangChain's callbacks ran and the default LangSmith client
 * sent what they queued (twice: the first pass can end while callbacks
 * still queue runs).
 */
export async function flushCallbacks(): Promise<void> {
  await awaitAllCallbacks();
  await awaitAllCallbacks();
}

/** A fenced JavaScript code action. */
export const js = (code: string): string => `Running code.\n\`\`\`javascript\n${code}\n\`\`\``;

/** A fenced Python code action. */
export const py = (code: string): string => `Running code.\n\`\`\`python\n${code}\n\`\`\``;

export const addTool = tool(async ({ a, b }: { a: number; b: number }) => a + b, {
  name: "add",
  description: "Adds two numbers.",
  schema: z.object({ a: z.number(), b: z.number() }),
});

export const divideTool = tool(
  async ({ a, b }: { a: number; b: number }) => {
    if (b === 0) throw new Error("division by zero");
    return a / b;
  },
  {
    name: "divide",
    description: "Divides a by b.",
    schema: z.object({ a: z.number(), b: z.number() }),
  }
);

/** The one run named `name` (fails the test when there are none or several). */
export function only(nodes: RunNode[], name: string): RunNode {
  const found = nodes.filter((node) => node.run.name === name);
  if (found.length !== 1) {
    throw new Error(`expected one run named ${name}, found ${found.length}`);
  }
  return found[0] as RunNode;
}

export const metadataOf = (run: CapturedRun): Record<string, unknown> => run.extra?.metadata ?? {};
