#!/usr/bin/env bash
# Builds the CodeAct inspector page when needed and serves it on 127.0.0.1.
#   npm run inspector                                  # http://127.0.0.1:2026, API http://127.0.0.1:2025
#   npm run inspector -- --port 3001 --api-url http://127.0.0.1:2024
#   INSPECTOR_PORT=3001 LANGGRAPH_API_URL=... npm run inspector
# Start the LangGraph API first (npm run studio). The page is its own npm
# package (studio/inspector), installed here on first use.
set -euo pipefail
dir="$(cd "$(dirname "$0")/../studio/inspector" && pwd)"
cd "$dir"

if [ ! -x node_modules/.bin/vite ]; then
  # npm ci refuses a lockfile that lacks other platforms' optional bindings.
  npm ci --no-audit --no-fund || npm install --no-audit --no-fund --no-save
fi
# Rebuild when any source is newer than the last build.
stamp=dist/index.html
if [ ! -f "$stamp" ] || [ -n "$(find src index.html vite.config.ts package-lock.json ../../src/graph/extract-code.ts -newer "$stamp" -print -quit)" ]; then
  npm run --silent build
fi
exec node serve.mjs "$@"
