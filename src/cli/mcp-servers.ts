/**
 * `--mcp` values: `[name=]<command line>` for a stdio server, or
 * `[name=]<http(s) URL>` for a Streamable HTTP one. Without a name, one is
 * made from the package or host (`@modelcontextprotocol/server-everything`
 * → `everything`); tools are then called `<name>__<tool>` in the code.
 */
import type { McpServerConfig } from "../tools/mcp.js";
import { CliUsageError } from "./usage-error.js";

export function parseMcpServers(specs: readonly string[]): Record<string, McpServerConfig> {
  const servers: Record<string, McpServerConfig> = {};
  specs.forEach((raw, index) => {
    const named = /^([A-Za-z][\w-]*)=(.+)$/s.exec(raw.trim());
    const spec = (named?.[2] ?? raw).trim();
    if (spec === "") throw new CliUsageError("--mcp needs a command line or an http(s) URL.");
    const server: McpServerConfig = /^https?:\/\//i.test(spec) ? { url: parseUrl(spec) } : stdioServer(spec);
    let name = named?.[1] ?? derivedName(spec) ?? `mcp${index + 1}`;
    if (Object.hasOwn(servers, name)) {
      if (named) throw new CliUsageError(`--mcp: two servers are named ${name}.`);
      name = `${name}${index + 1}`;
    }
    servers[name] = server;
  });
  return servers;
}

function parseUrl(spec: string): string {
  try {
    return new URL(spec).toString();
  } catch {
    throw new CliUsageError(`--mcp: ${spec} is not a valid URL.`);
  }
}

function stdioServer(spec: string): McpServerConfig {
  const [command, ...args] = splitCommandLine(spec);
  if (command === undefined) throw new CliUsageError("--mcp needs a command line or an http(s) URL.");
  return { transport: "stdio", command, args };
}

/**
 * A name from the host, or from the word that names the server: the first
 * that mentions a server, MCP or a scope, else the last that is not an
 * option (`npx -y @scope/server-x` → `x`; `node …/server-x/dist/index.js stdio` → `x`).
 */
function derivedName(spec: string): string | undefined {
  let base: string | undefined;
  if (/^https?:\/\//i.test(spec)) {
    base = new URL(spec).hostname.split(".")[0];
  } else {
    const words = splitCommandLine(spec).slice(1).filter((word) => !word.startsWith("-"));
    const word = words.find((candidate) => /server|mcp|^@/i.test(candidate)) ?? words.at(-1) ?? "";
    const parts = word.replace(/\.(m?js|cjs|ts|py)$/, "").split(/[\\/]/);
    base = [...parts].reverse().find((part) => part !== "" && !/^(index|main|dist|build|lib|src|bin)$/.test(part));
  }
  const name = (base ?? "").replace(/^(mcp-server-|server-|mcp-)/, "").replace(/[^A-Za-z0-9_]+/g, "_").replace(/^_+|_+$/g, "");
  return /^[A-Za-z]/.test(name) ? name : undefined;
}

/** Splits like a shell does for words and quotes (no expansion). */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let current = "";
  let quote: '"' | "'" | undefined;
  let inWord = false;
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index]!;
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === "\\" && quote === '"' && index + 1 < line.length) current += line[++index];
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (char === "\\" && index + 1 < line.length) {
      current += line[++index];
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (quote) throw new CliUsageError(`--mcp: unclosed ${quote} in ${line}`);
  if (inWord) words.push(current);
  return words;
}
