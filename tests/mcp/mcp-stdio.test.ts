/**
 * MCP servers as code APIs, with a real server from the registry
 * (`@modelcontextprotocol/server-everything`) over stdio, driven through the
 * real graph: structured results used directly as objects, typed
 * declarations from the server's output schema, server errors thrown inside
 * the code, distinct names for two servers' tools.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { childrenOf, isAlive, until } from "../support/processes.js";
import { tool } from "@langchain/core/tools";
import { z } from "zod";
import { createCodeActAgent } from "../../src/index.js";
import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import { loadMcpTools, type McpToolSet } from "../../src/tools/mcp.js";
import { renderTypeScriptDeclarations } from "../../src/tools/typescript-declarations.js";
import { renderPythonStubs } from "../../src/tools/python-stubs.js";
import { JupyterExecutor, startLocalJupyter, type LocalJupyter } from "../../src/executors/jupyter/index.js";
import { toolIdentifiers } from "../../src/tools/identifiers.js";
import { createToolFunctions } from "../../src/tools/tool-functions.js";
import { ScriptedChatModel, textOf } from "../graph/helpers.js";

jest.setTimeout(90_000);

const EVERYTHING = createRequire(__filename).resolve("@modelcontextprotocol/server-everything/dist/index.js");
const stdioServer = { transport: "stdio" as const, command: process.execPath, args: [EVERYTHING, "stdio"] };

let mcp: McpToolSet;
let executor: IsolatedVmExecutor;
beforeAll(async () => {
  // Two servers with the same tools: their names must stay apart.
  mcp = await loadMcpTools({ everything: stdioServer, other: stdioServer });
  executor = new IsolatedVmExecutor({ isolation: "in-process" });
});
afterAll(async () => {
  await mcp?.close();
  await executor?.close();
});

const identifierOf = (name: string): string => {
  const index = mcp.tools.findIndex((candidate) => candidate.name === name);
  return toolIdentifiers(mcp.tools, "javascript")[index] ?? "";
};

it("names every tool by server, and two servers' tools stay distinct identifiers", () => {
  const names = mcp.tools.map((candidate) => candidate.name);
  expect(names).toEqual(expect.arrayContaining(["everything__get-structured-content", "other__get-structured-content", "everything__echo"]));
  const identifiers = toolIdentifiers(mcp.tools, "javascript");
  expect(new Set(identifiers).size).toBe(identifiers.length);
  expect(identifierOf("everything__get-structured-content")).toMatch(/^[A-Za-z_$][\w$]*$/);
});

it("declares a tool with an output schema as returning that type, and one without as unknown", async () => {
  const structured = mcp.tools.find((candidate) => candidate.name === "everything__get-structured-content")!;
  const echo = mcp.tools.find((candidate) => candidate.name === "everything__echo")!;
  const text = await renderTypeScriptDeclarations([structured, echo]);
  expect(text).toMatch(/declare function everything__get_structured_content\(args:\{[\s\S]*\}\): Promise<\{[\s\S]*temperature:number[\s\S]*conditions:string[\s\S]*humidity:number[\s\S]*\}>/);
  expect(text).toMatch(/declare function everything__echo\([\s\S]*\): Promise<unknown>/);
});

it("gives code the structured content as an object, through the real graph", async () => {
  const call = identifierOf("everything__get-structured-content");
  const code = `const w = await ${call}({ location: "Chicago" });\nconsole.log(typeof w, w.temperature + 1, w.conditions)`;
  const agent = createCodeActAgent({
    model: new ScriptedChatModel([`\`\`\`javascript\n${code}\n\`\`\``, "done"]),
    tools: mcp.tools,
    executor,
  });
  const state = await agent.invoke({ messages: [{ role: "user", content: "weather" }] });
  expect(textOf(state.messages[2])).toContain("object 37 Light rain / drizzle");
});

it("gives text results as strings and throws server errors inside the code", async () => {
  const functions = createToolFunctions(mcp.tools, { language: "javascript" });
  const echo = functions[identifierOf("everything__echo")]!;
  expect(await echo({ message: "hi" })).toBe("Echo: hi");
  const sum = functions[identifierOf("everything__get-sum")]!;
  await expect(sum({ a: "not a number", b: 2 })).rejects.toThrow(/get.sum.*invalid arguments|expected number/i);
  const structured = functions[identifierOf("everything__get-structured-content")]!;
  await expect(structured({ location: "Atlantis" })).rejects.toThrow(/location/);
});

it("checks results against a tool's output schema on the host and reports a mismatch", async () => {
  const liar = Object.assign(
    tool(async () => ({ temperature: "warm" }), { name: "weather", description: "Weather.", schema: z.object({}) }),
    { outputSchema: z.object({ temperature: z.number() }) }
  );
  const [weather] = Object.values(createToolFunctions([liar], { language: "javascript" }));
  await expect(weather!({})).rejects.toThrow(/weather returned a result that does not match its output schema: temperature/);
});

it("covers MCP servers with lazy discovery: a search result shows the result types too", async () => {
  const code = 'console.log(await searchTools("structured weather content"))';
  const agent = createCodeActAgent({
    model: new ScriptedChatModel([`\`\`\`javascript\n${code}\n\`\`\``, "done"]),
    tools: mcp.tools,
    executor,
    lazyToolsThreshold: 5,
  });
  const state = await agent.invoke({ messages: [{ role: "user", content: "find it" }] });
  const observation = textOf(state.messages[2]);
  expect(observation).toMatch(/declare function (everything|other)__get_structured_content\(args:\{[\s\S]*\}\): Promise<\{[\s\S]*temperature:number/);
});

describe("in Python", () => {
  let server: LocalJupyter;
  let python: JupyterExecutor;
  beforeAll(async () => {
    server = await startLocalJupyter();
    python = new JupyterExecutor({ baseUrl: server.baseUrl, token: server.token });
  });
  afterAll(async () => {
    await python?.close();
    await server?.stop();
  });

  it("gets structured content as a dict, typed in the stub, and the server's error as an exception", async () => {
    const call = toolIdentifiers(mcp.tools, "python")[mcp.tools.findIndex((candidate) => candidate.name === "everything__get-structured-content")];
    const code = [
      `w = ${call}(location="Los Angeles")`,
      "print(type(w).__name__, w['temperature'] - 70, w['conditions'])",
      "try:",
      `    ${call}(location="Atlantis")`,
      "except Exception as error:",
      "    print('refused:', 'location' in str(error))",
    ].join("\n");
    const agent = createCodeActAgent({
      model: new ScriptedChatModel([`\`\`\`python\n${code}\n\`\`\``, "done"]),
      tools: mcp.tools,
      executor: python,
    });
    const state = await agent.invoke({ messages: [{ role: "user", content: "weather" }] });
    expect(textOf(state.messages[2])).toContain("dict 3 Sunny / Clear\nrefused: True");
    const stub = await renderPythonStubs(mcp.tools.filter((candidate) => candidate.name === "everything__get-structured-content"));
    expect(stub).toMatch(/\) -> dict: \.\.\./);
    expect(stub).toContain("humidity (float): Humidity percentage");
  });
});

it("restarts a stdio server that died: the call in flight fails clearly, a later one works", async () => {
  const own = await loadMcpTools({ solo: stdioServer });
  try {
    const functions = createToolFunctions(own.tools, { language: "javascript" });
    const echo = functions["solo__echo"]!;
    expect(await echo({ message: "before" })).toBe("Echo: before");
    const servers = childrenOf(process.pid).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("server-everything"));
    const before = new Set(servers);
    // The newest server-everything child is this set's.
    const victim = Math.max(...servers);
    process.kill(victim, "SIGKILL");
    await until(() => !isAlive(victim), 5_000);
    let failure: unknown;
    try {
      await echo({ message: "during" });
    } catch (error) {
      failure = error;
    }
    if (failure !== undefined) expect(String(failure)).toMatch(/^Error: solo__echo: /);
    // the adapter starts it again; the agent's tool follows the new connection
    expect(await until(() => childrenOf(process.pid).some((pid) => !before.has(pid) && isAlive(pid)), 10_000)).toBe(true);
    let answer: unknown;
    for (let attempt = 0; attempt < 30 && answer === undefined; attempt += 1) {
      answer = await echo({ message: "after" }).catch(() => new Promise((resolve) => setTimeout(() => resolve(undefined), 200)));
    }
    expect(answer).toBe("Echo: after");
  } finally {
    await own.close();
  }
});

it("stops its stdio servers on close() and starts none again", async () => {
  const everythingChildren = (): number[] =>
    childrenOf(process.pid).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("server-everything");
      } catch {
        return false;
      }
    });
  const before = new Set(everythingChildren());
  const own = await loadMcpTools({ closing: stdioServer });
  const started = everythingChildren().filter((pid) => !before.has(pid));
  expect(started).toHaveLength(1);
  await own.close();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(everythingChildren().filter((pid) => !before.has(pid) && isAlive(pid))).toEqual([]);
});
