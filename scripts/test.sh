#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what is missing (Debian
# packages for the Python executor, npm packages from the lockfile), builds,
# typechecks and runs every test. Servers the tests need (jupyter-server, the
# OpenAI-compatible replay server, ...) are started and stopped by the tests
# themselves, on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-deps.sh

# Installs a package folder from its lockfile, only when the lockfile changed
# since the last install there.
install_from_lockfile() {
  local dir=$1 lock_sum
  lock_sum=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ ! -f "$dir/node_modules/.codeact-lock-sum" ] || [ "$(cat "$dir/node_modules/.codeact-lock-sum")" != "$lock_sum" ]; then
    # A lockfile written here can lack other platforms' optional bindings, which
    # `npm ci` refuses; `npm install --no-save` then installs the same tree.
    (cd "$dir" && { npm ci --no-audit --no-fund || npm install --no-audit --no-fund --no-save; })
    echo "$lock_sum" > "$dir/node_modules/.codeact-lock-sum"
    installed="$installed $dir"
  fi
}
installed=""
# node-gyp runs make with this many jobs: isolated-vm (5.0.4 builds from
# source on Node 20) has some thirty C++ files, so two cores compile two at a
# time. better-sqlite3 is mostly one big sqlite3.c and gains little.
export JOBS="${JOBS:-max}"
# The library; the LangGraph dev server (Studio tests); the inspector page
# (browser tests); the Node 24 runtime. The root install spends minutes
# compiling native addons, so the other three (downloads and unpacking, about
# a minute together) run beside it, each with its own log shown afterwards.
side_logs=$(mktemp -d)
side_pids=()
install_from_lockfile studio > "$side_logs/studio.log" 2>&1 & side_pids+=($!)
install_from_lockfile studio/inspector > "$side_logs/inspector.log" 2>&1 & side_pids+=($!)
CODEACT_NODE24_PREPARE_ONLY=1 bash scripts/test-node24.sh > "$side_logs/node24.log" 2>&1 & side_pids+=($!)
install_from_lockfile .
side_status=0
for pid in "${side_pids[@]}"; do wait "$pid" || side_status=1; done
cat "$side_logs"/*.log
rm -rf "$side_logs"
if [ $side_status -ne 0 ]; then echo "test.sh: an install failed (logs above)" >&2; exit 1; fi

# An install in the root has just built dist/ (its "prepare" script).
case " $installed " in
  *" . "*) ;;
  *) npm run build ;;
esac
# The CLI tests run the bin just built from this source rather than the source
# through tsx, whose loader thread doubles each of their ~30 CLI starts.
export CODEACT_TEST_BUILT_CLI=1

# The whole suite on this machine's Node, then the Node 24 subset
# (scripts/test-node24.sh says which and why); both always run and are reported.
node20_status=0
npm test || node20_status=$?
node24_status=0
bash scripts/test-node24.sh || node24_status=$?
echo "test.sh: $(node --version) full suite: $([ $node20_status -eq 0 ] && echo passed || echo "FAILED ($node20_status)")"
echo "test.sh: Node 24 subset: $([ $node24_status -eq 0 ] && echo passed || echo "FAILED ($node24_status)")"
[ $node20_status -eq 0 ] && [ $node24_status -eq 0 ]
