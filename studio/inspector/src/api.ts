import { Client } from "@langchain/langgraph-sdk";
import type { StreamMode } from "@langchain/langgraph-sdk";

/** Where `npm run studio` serves the LangGraph API. */
export const DEFAULT_API_URL = "http://127.0.0.1:2025";
const API_URL_KEY = "codeact-inspector:api-url";

/**
 * Stream modes of a run: `values` for messages as they land, `custom` for
 * live cell output, `events` for node activity and tool calls inside cells.
 * Not `debug` and no subgraph streaming: langgraph-api 2.0.0 fails runs of
 * graphs built with @langchain/langgraph 1.7 on those (it reads `tasks` from
 * checkpoint payloads that no longer carry them); `events` already reports
 * subgraph nodes.
 */
export const STREAM_MODES: StreamMode[] = ["values", "custom", "events"];

/** The API URL: the saved setting, else the serve script's default, else {@link DEFAULT_API_URL}. */
export async function initialApiUrl(): Promise<string> {
  const saved = localStorage.getItem(API_URL_KEY);
  if (saved) return saved;
  try {
    const response = await fetch("./inspector-config.json");
    if (response.ok) {
      const config = (await response.json()) as { apiUrl?: unknown };
      if (typeof config.apiUrl === "string" && config.apiUrl !== "") return config.apiUrl;
    }
  } catch {
    // Served by something other than serve.mjs (e.g. `vite dev`).
  }
  return DEFAULT_API_URL;
}

export function saveApiUrl(apiUrl: string): void {
  localStorage.setItem(API_URL_KEY, apiUrl);
}

/** A client for the API URL; relative URLs (the serve script's `/api` proxy) resolve against the page. */
export function createClient(apiUrl: string): Client {
  const absolute = new URL(apiUrl, window.location.href).toString().replace(/\/$/, "");
  return new Client({ apiUrl: absolute });
}
