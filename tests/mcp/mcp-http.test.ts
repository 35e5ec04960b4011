/**
 * A small MCP server of our own over Streamable HTTP, through the real graph
 * and the real sandbox: structured content as objects, an `isError` result
 * thrown inside the code with the server's message, image content, and the
 * server restarting between cells (a clear error while it is down, working
 * again once it is back).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createCodeActAgent } from "../../src/index.js";
import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import { loadMcpTools, type McpToolSet } from "../../src/tools/mcp.js";
import { createToolFunctions } from "../../src/tools/tool-functions.js";
import { ScriptedChatModel, textOf } from "../graph/helpers.js";

jest.setTimeout(90_000);

const FIXTURE = join(__dirname, "fixtures/http-server.ts");

function startServer(port = 0): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", FIXTURE, String(port)], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      const match = /listening (\d+)/.exec(output);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.on("exit", (code) => reject(new Error(`MCP test server exited (${code}):\n${output}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

let server: { child: ChildProcess; port: number };
let mcp: McpToolSet;
let executor: IsolatedVmExecutor;
beforeAll(async () => {
  server = await startServer();
  mcp = await loadMcpTools({ shop: { url: `http://127.0.0.1:${server.port}/mcp` } });
  executor = new IsolatedVmExecutor({ isolation: "in-process" });
});
afterAll(async () => {
  await mcp?.close();
  await executor?.close();
  if (server) await stop(server.child);
});

it("runs a program against the server's typed API: structured results, a server error caught in the code", async () => {
  const code = [
    'const item = await shop__lookup({ id: "abc" });',
    "let refused = null;",
    'try { await shop__fail({ why: "closed" }) } catch (error) { refused = error.message }',
    "console.log(item.price * 2, item.tags.join('+'), refused)",
  ].join("\n");
  const agent = createCodeActAgent({
    model: new ScriptedChatModel([`\`\`\`javascript\n${code}\n\`\`\``, "done"]),
    tools: mcp.tools,
    executor,
  });
  const state = await agent.invoke({ messages: [{ role: "user", content: "go" }] });
  const observation = textOf(state.messages[2]);
  expect(observation).toMatch(/60 a\+b .*refused: closed/);
});

it("shows an image a tool returned like one the code displayed: in the observation, to a vision model", async () => {
  const agent = createCodeActAgent({
    model: new ScriptedChatModel(["```javascript\nconst blocks = await shop__picture({});\nblocks.length\n```", "done"]),
    tools: mcp.tools,
    executor,
    includeImagesInObservation: true,
  });
  const state = await agent.invoke({ messages: [{ role: "user", content: "picture" }] });
  const observation = state.messages[2]!;
  expect(textOf(observation)).toContain("[image/png displayed]");
  const content = observation.content as Array<{ type: string; image_url?: { url: string } }>;
  expect(content.some((block) => block.type === "image_url" && block.image_url?.url.startsWith("data:image/png;base64,"))).toBe(true);
});

it("hands image content to the code as data", async () => {
  const functions = createToolFunctions(mcp.tools, { language: "javascript" });
  const picture = (await functions["shop__picture"]!({})) as Array<{ type: string; mimeType?: string; data?: string }>;
  expect(picture[0]).toMatchObject({ type: "image", mimeType: "image/png" });
  expect(typeof picture[0]?.data).toBe("string");
});

it("gives a clear error while the server is down, and works again once it is back", async () => {
  const functions = createToolFunctions(mcp.tools, { language: "javascript" });
  const run = (code: string) => executor.execute({ sessionId: "restart", code, tools: functions });
  expect((await run("await shop__count()")).value).toMatch(/^'\d+'$/);
  await stop(server.child);
  const down = await run("await shop__count()");
  expect(down.error?.message).toMatch(/^shop__count: .*(fetch failed|ECONNREFUSED|connect)/i);
  server = await startServer(server.port);
  const back = await run("await shop__count()");
  expect(back.error).toBeUndefined();
  expect(back.value).toBe("'1'");
});
