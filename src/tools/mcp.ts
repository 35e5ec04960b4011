/**
 * MCP servers as tools in code: every tool of every server, named
 * `<server>__<tool>` (so two servers' tools never collide; the code calls
 * them by identifier as any tool), typed by the server's `outputSchema`,
 * returning structured content as objects. Built on `@langchain/mcp-adapters`
 * (an optional peer dependency, loaded only here).
 */
import type { StructuredToolInterface } from "@langchain/core/tools";
import type { Connection } from "@langchain/mcp-adapters";
import { ExecutorUnavailableError } from "../executors/errors.js";
import { MCP_TOOL } from "./tool-results.js";

/** One server: `{ command, args, env }` (stdio) or `{ url, headers }` (Streamable HTTP), as `@langchain/mcp-adapters` takes them. */
export type McpServerConfig = Connection;

/** The tools of some MCP servers, and the handle that stops them. */
export interface McpToolSet {
  /** LangChain tools: pass them as the agent's `tools`. */
  tools: StructuredToolInterface[];
  /** Closes every connection and stops the stdio servers started for them. */
  close(): Promise<void>;
}

/** The separator between server and tool name (the adapter's). */
export const MCP_NAME_SEPARATOR = "__";

/**
 * Connects to `servers` (by name) and returns their tools for the agent.
 * Stdio servers start now and stop on `close()`; call it when the agent is
 * done (or keep the set for the process's life).
 *
 * ```ts
 * const mcp = await loadMcpTools({ everything: { command: "npx", args: ["-y", "@modelcontextprotocol/server-everything"] } });
 * const agent = createCodeActAgent({ model, tools: mcp.tools });
 * // … await mcp.close();
 * ```
 */
export async function loadMcpTools(servers: Record<string, McpServerConfig>): Promise<McpToolSet> {
  let adapters: typeof import("@langchain/mcp-adapters");
  try {
    adapters = await import("@langchain/mcp-adapters");
  } catch (error) {
    throw new ExecutorUnavailableError(
      "MCP servers need the optional package @langchain/mcp-adapters: npm install @langchain/mcp-adapters",
      { cause: error }
    );
  }
  const client = new adapters.MultiServerMCPClient({
    mcpServers: withRestart(servers),
    prefixToolNameWithServerName: true,
    throwOnLoadError: true,
    onConnectionError: "throw",
  });
  try {
    const tools = await client.getTools();
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    for (const serverName of Object.keys(servers)) {
      const server = await client.getClient(serverName);
      if (!server) continue;
      let cursor: string | undefined;
      do {
        const page = await server.listTools(cursor === undefined ? {} : { cursor });
        for (const listed of page.tools) {
          const tool = byName.get(`${serverName}${MCP_NAME_SEPARATOR}${listed.name}`);
          if (tool === undefined) continue;
          Object.assign(tool, { [MCP_TOOL]: true, ...(listed.outputSchema && { outputSchema: listed.outputSchema }) });
        }
        cursor = page.nextCursor;
      } while (cursor !== undefined);
    }
    // A restarted server gets new tool objects from the adapter; the agent keeps ours, which call the current ones.
    for (const tool of tools) followRestarts(tool, () => client.getTools());
    return { tools, close: () => client.close() };
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
}

/** Stdio servers restart when their process exits (a few attempts), unless configured otherwise. */
function withRestart(servers: Record<string, McpServerConfig>): Record<string, McpServerConfig> {
  return Object.fromEntries(
    Object.entries(servers).map(([name, server]) => [
      name,
      "command" in server && !("restart" in server && server.restart) ? { ...server, restart: { enabled: true, maxAttempts: 3, delayMs: 200 } } : server,
    ])
  );
}

type ToolFunc = (input: unknown, runManager?: unknown, config?: unknown) => Promise<unknown>;

/** Makes `tool` call the adapter's current tool of the same name (the one bound to the live connection). */
function followRestarts(tool: StructuredToolInterface, current: () => Promise<StructuredToolInterface[]>): void {
  const own = tool as unknown as { func?: ToolFunc };
  const original = own.func;
  if (typeof original !== "function") return;
  own.func = async (input, runManager, config) => {
    const latest = (await current()).find((candidate) => candidate.name === tool.name) as unknown as { func?: ToolFunc } | undefined;
    const func = latest?.func && latest !== own ? latest.func : original;
    return func(input, runManager, config);
  };
}
