// @ts-check
/**
 * Serves the built inspector (dist/) on 127.0.0.1 and proxies /api/* to the
 * LangGraph API, for servers whose CORS settings do not allow the page's
 * origin (the dev server allows any origin by default; set the page's API
 * URL to "/api" to go through this proxy). Plain Node, no dependencies.
 *
 *   node serve.mjs [--port 2026] [--host 127.0.0.1] [--api-url http://127.0.0.1:2025]
 *   env: INSPECTOR_PORT, INSPECTOR_HOST, LANGGRAPH_API_URL
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { dirname, extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const DEFAULT_PORT = 2026;
const DEFAULT_HOST = "127.0.0.1";
const DEFAULT_API_URL = "http://127.0.0.1:2025";
const PROXY_PREFIX = "/api";

const MIME_TYPES = /** @type {Record<string, string>} */ ({
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".ico": "image/x-icon",
});

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    host: { type: "string" },
    "api-url": { type: "string" },
  },
});
const port = Number(values.port ?? process.env.INSPECTOR_PORT ?? DEFAULT_PORT);
const host = values.host ?? process.env.INSPECTOR_HOST ?? DEFAULT_HOST;
const apiUrl = new URL(values["api-url"] ?? process.env.LANGGRAPH_API_URL ?? DEFAULT_API_URL);
const root = resolve(dirname(fileURLToPath(import.meta.url)), "dist");

if (!existsSync(join(root, "index.html"))) {
  console.error(`inspector: ${root}/index.html is missing; build first (npm run build in studio/inspector).`);
  process.exit(1);
}

/**
 * @param {import("node:http").IncomingMessage} incoming
 * @param {import("node:http").ServerResponse} outgoing
 */
function proxy(incoming, outgoing) {
  const path = (incoming.url ?? "/").slice(PROXY_PREFIX.length) || "/";
  const target = new URL(apiUrl.pathname.replace(/\/$/, "") + path, apiUrl);
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  const headers = { ...incoming.headers, host: target.host };
  delete headers.origin;
  const upstream = send(target, { method: incoming.method, headers }, (response) => {
    outgoing.writeHead(response.statusCode ?? 502, response.headers);
    // Server-sent events must reach the page as they come.
    outgoing.flushHeaders();
    response.pipe(outgoing);
  });
  upstream.on("error", (error) => {
    if (!outgoing.headersSent) {
      outgoing.writeHead(502, { "content-type": "application/json" });
    }
    outgoing.end(JSON.stringify({ error: `LangGraph API at ${apiUrl} unreachable: ${error.message}` }));
  });
  outgoing.on("close", () => upstream.destroy());
  incoming.pipe(upstream);
}

const server = createServer((incoming, outgoing) => {
  const url = new URL(incoming.url ?? "/", "http://inspector");
  if (url.pathname === PROXY_PREFIX || url.pathname.startsWith(`${PROXY_PREFIX}/`)) {
    proxy(incoming, outgoing);
    return;
  }
  if (url.pathname === "/inspector-config.json") {
    outgoing.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
    outgoing.end(JSON.stringify({ apiUrl: apiUrl.toString().replace(/\/$/, "") }));
    return;
  }
  const relative = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, "");
  let file = join(root, relative);
  if (!file.startsWith(root) || !existsSync(file) || statSync(file).isDirectory()) {
    file = join(root, "index.html");
  }
  outgoing.writeHead(200, {
    "content-type": MIME_TYPES[extname(file)] ?? "application/octet-stream",
    "cache-control": file.includes(`${join(root, "assets")}`) ? "public, max-age=31536000, immutable" : "no-cache",
  });
  createReadStream(file).pipe(outgoing);
});

server.listen(port, host, () => {
  const address = server.address();
  const actualPort = typeof address === "object" && address !== null ? address.port : port;
  console.log(`CodeAct inspector: http://${host}:${actualPort}/  (LangGraph API: ${apiUrl}, proxy at ${PROXY_PREFIX})`);
});

for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM"])) {
  process.on(signal, () => server.close(() => process.exit(0)).closeAllConnections());
}
