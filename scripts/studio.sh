#!/usr/bin/env bash
# Starts the LangGraph dev server (the API LangGraph Studio talks to) for the
# graphs in langgraph.json, on 127.0.0.1, offline.
#   npm run studio                 # port 2025
#   STUDIO_PORT=3000 npm run studio
# The server is its own npm package (studio/), installed here on first use,
# so its dependencies stay out of the library's.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
port="${STUDIO_PORT:-2025}"
host="${STUDIO_HOST:-127.0.0.1}"

if [ ! -x "$root/studio/node_modules/.bin/langgraphjs" ]; then
  # npm ci refuses a lockfile that lacks other platforms' optional bindings.
  (cd "$root/studio" && { npm ci --no-audit --no-fund || npm install --no-audit --no-fund --no-save; })
fi

export LANGGRAPH_CLI_NO_ANALYTICS=1
# Extracting a graph's config schema (Studio's settings form) can take longer
# than the server's 30 s default on a small machine.
export LANGGRAPH_SCHEMA_RESOLVE_TIMEOUT_MS="${LANGGRAPH_SCHEMA_RESOLVE_TIMEOUT_MS:-150000}"
# isolated-vm needs this on Node >= 20; the server's workers inherit it.
export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--no-node-snapshot"
cd "$root"
# Through a launcher: a Ctrl-C that reached the whole process tree could kill
# the server while it writes its threads to disk.
exec node "$root/scripts/run-dev-server.cjs" "$root/studio/node_modules/.bin/langgraphjs" dev \
  --config "$root/langgraph.json" --host "$host" --port "$port" --no-browser "$@"
