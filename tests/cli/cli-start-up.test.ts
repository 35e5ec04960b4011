/**
 * What the `codeact` CLI does to start fast, seen from outside through
 * `NODE_DEBUG=codeact`: it forks the sandbox's worker before loading the
 * executor and has the executor adopt that process, and (the built bin) it
 * keeps V8's compiled code between runs. Each run has its own temp directory.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import Module from "node:module";
import os from "node:os";
import path from "node:path";
import { startReplayServer, type ReplayServer } from "../support/replay-server.js";
import { runCli, USE_BUILT_CLI } from "../support/run-cli.js";

jest.setTimeout(120_000);

const SCRIPT = ["I will compute it.\n```javascript\n6 * 7\n```", "6 times 7 is 42."];
const NODE_HAS_OWN_CACHE = typeof (Module as unknown as { enableCompileCache?: unknown }).enableCompileCache === "function";

let tmp: string;
const servers: ReplayServer[] = [];
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "codeact-cli-start-up-"));
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  rmSync(tmp, { recursive: true, force: true });
});

async function answer(env: Record<string, string> = {}, nodeFlags: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const server = await startReplayServer({ responses: SCRIPT });
  servers.push(server);
  return runCli(["--base-url", server.baseUrl, "--no-stream", "What is 6 times 7?"], {
    env: { TMPDIR: tmp, NODE_DEBUG: "codeact", ...env },
    nodeFlags,
  });
}

describe("codeact start-up", () => {
  it("forks the sandbox's worker before the executor loads, and runs the cell in that process", async () => {
    const run = await answer();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("6 times 7 is 42.");
    const prestarted = /worker process (\d+) prestarted/.exec(run.stderr)?.[1];
    // the built bin starts its own one-file worker beside it; from source, the .ts entry
    const entry = /worker process \d+ prestarted \((.+)\)/.exec(run.stderr)?.[1];
    expect(entry).toMatch(USE_BUILT_CLI ? /[\\/]dist[\\/]cli[\\/]process-worker\.cjs$/ : /[\\/]src[\\/]executors[\\/]isolated-vm[\\/]process-worker\.ts$/);
    const adopted = /worker process (\d+) adopted/.exec(run.stderr)?.[1];
    expect(prestarted).toBeDefined();
    expect(adopted).toBe(prestarted);
    // no second worker was forked: only one pid is ever named
    expect(new Set(run.stderr.match(/worker process \d+/g))).toEqual(new Set([`worker process ${prestarted}`]));
  });

  it("does not fork the JavaScript sandbox's worker for --help", async () => {
    const run = await runCli(["--help"], { env: { TMPDIR: tmp, NODE_DEBUG: "codeact" } });
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain("prestarted");
  });

  (USE_BUILT_CLI ? describe : describe.skip)("the built bin", () => {
    it(`keeps compiled code between runs (${NODE_HAS_OWN_CACHE ? "Node's own cache" : "the bin's code cache"}), and answers the same`, async () => {
      const first = await answer();
      const second = await answer();
      expect(first.code).toBe(0);
      expect(second.code).toBe(0);
      const untimed = (text: string): string => text.replace(/\(\d+ ms\)/g, "(… ms)");
      expect(untimed(second.stdout)).toBe(untimed(first.stdout));
      if (NODE_HAS_OWN_CACHE) {
        expect(first.stderr).toContain("compile cache: Node's own");
        expect(readdirSync(path.join(tmp, `codeact-compile-cache-${process.getuid?.() ?? "user"}`), { recursive: true }).length).toBeGreaterThan(0);
      } else {
        expect(first.stderr).toContain("compile cache: none yet");
        expect(first.stderr).toContain("compile cache: written to");
        expect(second.stderr).toContain("compile cache: accepted");
        expect(second.stderr).not.toContain("written to");
      }
      // no warning from Node (an experimental API would print one on every run)
      expect(second.stderr).not.toMatch(/ExperimentalWarning|Warning:/);
    });

    // (from source, tsx and Node's loader compile WebAssembly of their own before the bin runs)
    it("keeps V8 from re-compiling Node's HTTP parser (WebAssembly) on a thread that exit would wait for", async () => {
      const run = await answer({}, ["--trace-wasm-compilation-times"]);
      expect(run.code).toBe(0);
      const compiled = `${run.stdout}\n${run.stderr}`.split("\n").filter((line) => /^Compiled function .* using /.test(line));
      expect(compiled.some((line) => line.includes("using Liftoff"))).toBe(true);
      expect(compiled.filter((line) => line.includes("using TurboFan"))).toEqual([]);
    });

    it("writes no cache for --help, so the first real run's is complete", async () => {
      const help = await runCli(["--help"], { env: { TMPDIR: tmp, NODE_DEBUG: "codeact", NODE_DISABLE_COMPILE_CACHE: "" } });
      expect(help.code).toBe(0);
      if (!NODE_HAS_OWN_CACHE) expect(help.stderr).toContain("not written (the run did not reach a task)");
      const run = await answer();
      expect(run.code).toBe(0);
      if (!NODE_HAS_OWN_CACHE) expect(run.stderr).toContain("compile cache: none yet");
    });
  });
});
