#!/usr/bin/env bash
# Runs the tests on Node 24 with the packages npm installs there for users:
# isolated-vm 7 (prebuilt binary, no compiler) and @langchain/openai 1.6.x.
#
# The machine's Node stays the main one (scripts/test.sh runs everything on
# it). Everything for Node 24 lives in .node24/ (ignored by git):
#   runtime/  an npm prefix with the Node 24 binary (node-<platform>-<arch>
#             package) and the Node-24-only packages, reinstalled when a
#             version below changes
#   work/     a copy of the working tree whose node_modules is a hard-linked
#             copy of ./node_modules (seconds, no download) with isolated-vm
#             and @langchain/openai swapped for the Node 24 ones, so that
#             plain Node resolution (jest, tsx, child processes) finds them
#   jest-cache/  jest's cache for this run, apart from Node 20's
#
# Usage: bash scripts/test-node24.sh [jest arguments]; with no arguments it
# runs NODE24_TESTS. Expects ./node_modules to be installed (scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

NODE24_VERSION=24.21.0
ISOLATED_VM_VERSION=7.0.1
LANGCHAIN_OPENAI_VERSION=1.6.0
OPENAI_VERSION=7.57.0
# What can behave differently on Node 24, and nothing above it:
# - the native isolated-vm 7 binary: every executor test, in-process and in its
#   worker process (tests/executors/isolated-vm), and the sandbox escapes;
# - Node's own fetch (undici), timers, AbortSignal and child_process under the
#   Jupyter client: its conformance suite and the local server it spawns;
# - @langchain/openai 1.6 with openai 7: the CLI (also a Node child process),
#   the M3ToolEval OpenAI plumbing, composition;
# - AsyncLocalStorage, which Node 24 rebuilt on AsyncContextFrame: LangGraph
#   with isolated-vm (tests/graph/integration, observation-details,
#   graph-faults) and LangSmith tracing, whose run tree rides on it.
# Not here, because they run the same JavaScript on either Node and the files
# above already load every native and version-sensitive piece they touch:
# prompt and tool rendering (tests/tools, tests/prompts), the fake executor,
# the graph's unit tests, the replay server's own tests, the Jupyter
# executor's fault cases (our logic over the same fetch and ws as its
# conformance suite), the 82-task M3ToolEval oracles (many programs through
# the same executors) and its runner as a child process (tests/cli already
# starts Node children that talk to the replay server through @langchain/openai),
# Python tracing, Studio, the inspector, resume with a
# database (better-sqlite3 is built for Node 20's ABI) and the soak: they run
# on Node 20 only, which keeps the Node 24 pass to about 3 minutes.
NODE24_TESTS=(tests/executors/isolated-vm tests/shared/clip.test.ts
  tests/executors/jupyter/conformance.test.ts tests/executors/jupyter/local-server.test.ts
  tests/graph/integration.test.ts tests/graph/observation-details.test.ts tests/cli tests/composition
  tests/tracing/langsmith-trace.test.ts tests/tracing/tracing-failures.test.ts tests/tracing/tracing-off.test.ts
  tests/m3tooleval/openai-plumbing.test.ts
  tests/hardening/escapes.test.ts tests/hardening/graph-faults.test.ts)

prefix=$root/.node24
runtime=$prefix/runtime
work=$prefix/work
platform=$(node -p 'process.platform + "-" + process.arch')
runtime_key="node-$platform@$NODE24_VERSION isolated-vm@$ISOLATED_VM_VERSION @langchain/openai@$LANGCHAIN_OPENAI_VERSION openai@$OPENAI_VERSION"

if [ "$(cat "$runtime/.codeact-key" 2>/dev/null)" != "$runtime_key" ]; then
  echo "node24: installing $runtime_key"
  rm -rf "$runtime"
  mkdir -p "$runtime"
  echo '{"name":"codeact-node24-runtime","private":true}' > "$runtime/package.json"
  # --ignore-scripts: isolated-vm 7 loads its prebuilt binary through
  # node-gyp-build at require time; its install script would only try to
  # compile when none fits. --legacy-peer-deps: @langchain/core comes from the
  # main tree, so that there is one copy of it.
  npm install --prefix "$runtime" --save-exact --no-audit --no-fund --ignore-scripts --legacy-peer-deps \
    "node-$platform@$NODE24_VERSION" "isolated-vm@$ISOLATED_VM_VERSION" \
    "@langchain/openai@$LANGCHAIN_OPENAI_VERSION" "openai@$OPENAI_VERSION"
  echo "$runtime_key" > "$runtime/.codeact-key"
fi
node24=$runtime/node_modules/node-$platform/bin/node
"$node24" --version > /dev/null
# scripts/test.sh installs the runtime beside the main install, then runs the tests later.
if [ "${CODEACT_NODE24_PREPARE_ONLY:-}" = 1 ]; then exit 0; fi

# The source: tracked and untracked-but-not-ignored files, as they are now.
tree_key="$runtime_key $(sha256sum package-lock.json | cut -d' ' -f1)"
mkdir -p "$work"
find "$work" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
git ls-files -z --cached --others --exclude-standard -- . ':!:.node24' \
  | tar --null --ignore-failed-read -T - -cf - 2> /dev/null | tar -xf - -C "$work"
# The compiled CLI too (git-ignored), when scripts/test.sh built it and asks
# the CLI tests to run it (CODEACT_TEST_BUILT_CLI=1).
if [ -d dist ]; then cp -a dist "$work/dist"; fi

if [ "$(cat "$work/node_modules/.codeact-node24-key" 2>/dev/null)" != "$tree_key" ]; then
  rm -rf "$work/node_modules"
  cp -al node_modules "$work/node_modules"
  # npm-written files at the top are replaced, never edited through the links.
  rm -f "$work/node_modules/.package-lock.json" "$work/node_modules/.codeact-lock-sum"
  for package in isolated-vm node-gyp-build @langchain/openai; do
    rm -rf "$work/node_modules/$package"
    cp -a "$runtime/node_modules/$package" "$work/node_modules/$package"
  done
  # openai 7 only for @langchain/openai 1.6; anything else keeps the main tree's.
  mkdir -p "$work/node_modules/@langchain/openai/node_modules"
  cp -a "$runtime/node_modules/openai" "$work/node_modules/@langchain/openai/node_modules/openai"
  echo "$tree_key" > "$work/node_modules/.codeact-node24-key"
fi

if [ $# -eq 0 ]; then set -- "${NODE24_TESTS[@]}"; fi
cd "$work"
# Node 24 first on PATH: jest workers, tsx and every `node` a test spawns use it.
export PATH="$(dirname "$node24"):$PATH"
echo "node24: $(node --version), isolated-vm $(node -p 'require("isolated-vm/package.json").version'), @langchain/openai $(node -p 'require("./node_modules/@langchain/openai/package.json").version')"
NODE_OPTIONS=--no-node-snapshot node node_modules/jest/bin/jest.js --cacheDirectory "$prefix/jest-cache" "$@"
