/**
 * LangSmith traces of MCP tool calls made from code: the real langsmith
 * client posting to a local capture endpoint; each MCP tool run nests under
 * the cell that made it, with its arguments and its result.
 */
import { createRequire } from "node:module";
import { HumanMessage } from "@langchain/core/messages";
import { createCodeActAgent } from "../../src/index.js";
import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import { loadMcpTools, type McpToolSet } from "../../src/tools/mcp.js";
import { ScriptedChatModel } from "../graph/helpers.js";
import { buildTrees, flatten, outline, startCaptureServer, type CaptureServer } from "../tracing/capture-server.js";
import { flushCallbacks, only, useLangSmithEnvironment } from "../tracing/helpers.js";

jest.setTimeout(90_000);

const EVERYTHING = createRequire(__filename).resolve("@modelcontextprotocol/server-everything/dist/index.js");

let capture: CaptureServer;
let mcp: McpToolSet;
let executor: IsolatedVmExecutor;
beforeAll(async () => {
  capture = await startCaptureServer();
  useLangSmithEnvironment(capture.url, "codeact-mcp-tracing");
  mcp = await loadMcpTools({ everything: { transport: "stdio", command: process.execPath, args: [EVERYTHING, "stdio"] } });
  executor = new IsolatedVmExecutor({ isolation: "in-process" });
});
afterAll(async () => {
  await mcp?.close();
  await executor?.close();
  await capture?.close();
});

it("nests each MCP tool run under its cell, with its arguments and result", async () => {
  const code = [
    'const w = await everything__get_structured_content({ location: "Chicago" });',
    'await everything__echo({ message: "traced" });',
    "w.humidity",
  ].join("\n");
  const agent = createCodeActAgent({
    model: new ScriptedChatModel([`\`\`\`javascript\n${code}\n\`\`\``, "82%."]),
    tools: mcp.tools,
    executor,
    name: "mcp_agent",
  });
  await agent.invoke({ messages: [new HumanMessage("humidity?")] });
  await flushCallbacks();
  const [root] = buildTrees(capture.runs());
  expect(root).toBeDefined();
  expect(outline(root!).filter((line) => line.includes("execute_code") || line.includes("tool:"))).toEqual([
    "    chain:execute_code",
    "      tool:everything__get-structured-content",
    "      tool:everything__echo",
  ]);
  const cell = only(flatten([root!]), "execute_code");
  const [structured, echo] = cell.children;
  expect(structured?.run.inputs).toEqual({ location: "Chicago" });
  expect(JSON.stringify(structured?.run.outputs)).toContain("Light rain");
  expect(echo?.run.inputs).toEqual({ message: "traced" });
  expect(JSON.stringify(echo?.run.outputs)).toContain("Echo: traced");
});
