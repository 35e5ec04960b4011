/**
 * MCP servers as code APIs: the prompt cost of a real server's tools as
 * typed declarations against the same tools as OpenAI tools JSON, and a tool
 * call from code to the server against the MCP client calling it directly
 * (the floor), with `@modelcontextprotocol/server-everything` over stdio.
 */
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { IsolatedVmExecutor } from "../src/executors/isolated-vm/index.js";
import { loadMcpTools } from "../src/tools/mcp.js";
import { createToolFunctions } from "../src/tools/tool-functions.js";
import { toolIdentifiers } from "../src/tools/identifiers.js";
import { renderPythonStubs } from "../src/tools/python-stubs.js";
import { renderTypeScriptDeclarations } from "../src/tools/typescript-declarations.js";
import { countTokens, openAiToolsPayload } from "./prompt-size.js";
import { figure, median, type BenchFigure } from "./stats.js";

const GROUP = "MCP servers";

export interface McpBenchOptions {
  calls: number;
  runs: number;
}
export const MCP_FULL: McpBenchOptions = { calls: 200, runs: 7 };
export const MCP_QUICK: McpBenchOptions = { calls: 20, runs: 2 };

export async function runMcpBench(options: McpBenchOptions): Promise<BenchFigure[]> {
  // the bench runs from the repository root (npm run bench)
  const server = createRequire(resolve("package.json")).resolve("@modelcontextprotocol/server-everything/dist/index.js");
  const mcp = await loadMcpTools({ everything: { transport: "stdio", command: process.execPath, args: [server, "stdio"] } });
  const executor = new IsolatedVmExecutor({ isolation: "in-process" });
  try {
    const baseline = { name: "OpenAI tools JSON", value: countTokens(openAiToolsPayload(mcp.tools)) };
    const figures: BenchFigure[] = [
      figure({
        group: GROUP,
        name: `server-everything's ${mcp.tools.length} tools as TypeScript declarations (result types included)`,
        value: countTokens(await renderTypeScriptDeclarations(mcp.tools)),
        unit: "tokens",
        baseline,
      }),
      figure({
        group: GROUP,
        name: `server-everything's ${mcp.tools.length} tools as Python stubs`,
        value: countTokens(renderPythonStubs(mcp.tools)),
        unit: "tokens",
        baseline,
      }),
    ];

    const echoIndex = mcp.tools.findIndex((tool) => tool.name === "everything__echo");
    const echo = toolIdentifiers(mcp.tools, "javascript")[echoIndex]!;
    const tools = createToolFunctions(mcp.tools, { language: "javascript" });
    const fromCode: number[] = [];
    const direct: number[] = [];
    const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
    const { StdioClientTransport } = await import("@modelcontextprotocol/sdk/client/stdio.js");
    const client = new Client({ name: "bench", version: "1" });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [server, "stdio"], stderr: "ignore" }));
    try {
      const code = `for (let i = 0; i < ${options.calls}; i++) await ${echo}({ message: "m" + i })`;
      await executor.execute({ sessionId: "mcp", code, tools }); // warm-up
      for (let run = 0; run < options.runs; run += 1) {
        let started = performance.now();
        const result = await executor.execute({ sessionId: "mcp", code, tools });
        if (result.error) throw new Error(result.error.message);
        fromCode.push((performance.now() - started) / options.calls);
        started = performance.now();
        for (let call = 0; call < options.calls; call += 1) await client.callTool({ name: "echo", arguments: { message: `m${call}` } });
        direct.push((performance.now() - started) / options.calls);
      }
    } finally {
      await client.close();
    }
    figures.push(
      figure({
        group: GROUP,
        name: `tool call from code to the server (per call, ${options.calls} in a loop, median of runs)`,
        value: median(fromCode),
        unit: "ms",
        baseline: { name: "the MCP client calling it directly", value: median(direct) },
      })
    );
    return figures;
  } finally {
    await executor.close();
    await mcp.close();
  }
}
