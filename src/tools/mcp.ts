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

type Adapters = typeof import("@langchain/mcp-adapters");
type ToolFunc = (input: unknown, runManager?: unknown, config?: unknown) => Promise<unknown>;

/**
 * Connects to `servers` (by name) and returns their tools for the agent.
 * Stdio servers start now and stop on `close()`; call it when the agent is
 * done (or keep the set for the process's life). A stdio server whose
 * process exits is started again by the next call to one of its tools.
 *
 * ```ts
 * const mcp = await loadMcpTools({ everything: { command: "npx", args: ["-y", "@modelcontextprotocol/server-everything"] } });
 * const agent = createCodeActAgent({ model, tools: mcp.tools });
 * // … await mcp.close();
 * ```
 */
export async function loadMcpTools(servers: Record<string, McpServerConfig>): Promise<McpToolSet> {
  let adapters: Adapters;
  try {
    adapters = await import("@langchain/mcp-adapters");
  } catch (error) {
    throw new ExecutorUnavailableError(
      "MCP servers need the optional package @langchain/mcp-adapters: npm install @langchain/mcp-adapters",
      { cause: error }
    );
  }
  const handles: McpServerHandle[] = [];
  try {
    const tools: StructuredToolInterface[] = [];
    for (const [name, config] of Object.entries(servers)) {
      const handle = new McpServerHandle(adapters, name, config);
      handles.push(handle);
      tools.push(...(await handle.start()));
    }
    return { tools, close: async () => void (await Promise.all(handles.map((handle) => handle.close()))) };
  } catch (error) {
    await Promise.all(handles.map((handle) => handle.close().catch(() => undefined)));
    throw error;
  }
}

/**
 * One server's connection. The tools handed out are those of the first
 * connection; each calls the current connection's tool of the same name, so
 * a stdio server restarted (lazily, by the next call after its process
 * exited) serves the same tools. Nothing restarts in the background, so
 * `close()` leaves no process behind.
 */
class McpServerHandle {
  readonly #adapters: Adapters;
  readonly #name: string;
  readonly #config: McpServerConfig;
  #client: InstanceType<Adapters["MultiServerMCPClient"]> | undefined;
  /** The current connection's tool implementations, by tool name. */
  #funcs = new Map<string, ToolFunc>();
  #exited = false;
  #closed = false;
  #restarting: Promise<void> | undefined;

  constructor(adapters: Adapters, name: string, config: McpServerConfig) {
    this.#adapters = adapters;
    this.#name = name;
    this.#config = config;
  }

  /** Connects and returns the tools, typed and marked as MCP tools. */
  async start(): Promise<StructuredToolInterface[]> {
    const tools = await this.#connect();
    for (const tool of tools) {
      (tool as unknown as { func: ToolFunc }).func = (input, runManager, config) => this.#call(tool.name, input, runManager, config);
    }
    return tools;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#restarting?.catch(() => undefined);
    await this.#client?.close();
  }

  async #call(toolName: string, input: unknown, runManager: unknown, config: unknown): Promise<unknown> {
    if (this.#closed) throw new Error(`the MCP server ${this.#name} was closed`);
    if (this.#exited && "command" in this.#config) {
      this.#restarting ??= this.#restart().finally(() => {
        this.#restarting = undefined;
      });
      await this.#restarting;
    }
    const func = this.#funcs.get(toolName);
    if (func === undefined) throw new Error(`the MCP server ${this.#name} no longer offers ${toolName}`);
    return func(input, runManager, config);
  }

  async #restart(): Promise<void> {
    const previous = this.#client;
    this.#client = undefined;
    await previous?.close().catch(() => undefined);
    if (this.#closed) throw new Error(`the MCP server ${this.#name} was closed`);
    await this.#connect();
  }

  async #connect(): Promise<StructuredToolInterface[]> {
    const client = new this.#adapters.MultiServerMCPClient({
      mcpServers: { [this.#name]: this.#config },
      prefixToolNameWithServerName: true,
      throwOnLoadError: true,
      onConnectionError: "throw",
    });
    this.#client = client;
    const tools = await client.getTools();
    const server = await client.getClient(this.#name);
    if (server) {
      // An exited process is noticed here and restarted by the next call.
      const transport = (server as unknown as { transport?: { onclose?: (() => void) | undefined } }).transport;
      if (transport) {
        const previous = transport.onclose;
        transport.onclose = () => {
          if (this.#client === client) this.#exited = true;
          previous?.();
        };
      }
      const byName = new Map(tools.map((tool) => [tool.name, tool]));
      let cursor: string | undefined;
      do {
        const page = await server.listTools(cursor === undefined ? {} : { cursor });
        for (const listed of page.tools) {
          const tool = byName.get(`${this.#name}${MCP_NAME_SEPARATOR}${listed.name}`);
          if (tool !== undefined) Object.assign(tool, { [MCP_TOOL]: true, ...(listed.outputSchema && { outputSchema: listed.outputSchema }) });
        }
        cursor = page.nextCursor;
      } while (cursor !== undefined);
    }
    this.#funcs = new Map(tools.map((tool) => [tool.name, (tool as unknown as { func: ToolFunc }).func.bind(tool)]));
    this.#exited = false;
    return tools;
  }
}
