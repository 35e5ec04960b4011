/**
 * Spawns the real `codeact` CLI as a child process, for end-to-end tests:
 * from source through tsx, or the compiled bin when the test command has just
 * built it (CODEACT_TEST_BUILT_CLI=1, set by scripts/test.sh). tsx resolves
 * every module through its loader thread, which made each start about twice
 * as slow (measured: 4-6 s against 2-3 s on a loaded 2-core machine), and
 * the CLI tests start it about 30 times.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { CLEARED_VARIABLES } from "./cli-environment.js";

/** The repository root (tests are compiled to CommonJS, so `process.cwd()` exists). */
export const REPO_ROOT = resolve(__dirname, "../..");
/** The CLI's source entry point. */
export const CLI_ENTRY = resolve(REPO_ROOT, "src/cli/index.ts");
/** The compiled bin (package.json "bin"), built from the same source by `npm run build`. */
export const BUILT_CLI_ENTRY = resolve(REPO_ROOT, "dist/cli/index.js");
/** True when the tests run the compiled bin rather than the source. */
export const USE_BUILT_CLI = process.env["CODEACT_TEST_BUILT_CLI"] === "1";
/** Test runs are killed after this long. */
export const DEFAULT_CLI_TIMEOUT_MS = 60_000;


export interface RunCliOptions {
  /** Added to a clean copy of the test's environment. */
  env?: Record<string, string>;
  /** Written to the CLI's stdin, which is then closed. */
  stdin?: string;
  /**
   * Start Node with `--no-node-snapshot` (as `npm`'s bin shim would not):
   * false exercises the CLI's self re-execution. @defaultValue `true`
   */
  noNodeSnapshot?: boolean;
  /** More Node (or V8) flags, before the script. */
  nodeFlags?: string[];
  timeoutMs?: number;
  /** Called with the child once it is spawned (to send it signals). */
  onSpawn?: (child: ChildProcess, output: { stdout(): string; stderr(): string }) => void;
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** The Node arguments that run `codeact ...args` (the source through tsx, or the built bin). */
export function cliNodeArgs(args: readonly string[], options: Pick<RunCliOptions, "noNodeSnapshot" | "nodeFlags"> = {}): string[] {
  return [
    ...(options.noNodeSnapshot === false ? [] : ["--no-node-snapshot"]),
    ...(options.nodeFlags ?? []),
    ...(USE_BUILT_CLI ? [BUILT_CLI_ENTRY] : ["--import", "tsx", CLI_ENTRY]),
    ...args,
  ];
}

/** Runs `codeact ...args` to completion. */
export function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CLEARED_VARIABLES) delete env[name];
  Object.assign(env, options.env);
  if (USE_BUILT_CLI && !existsSync(BUILT_CLI_ENTRY)) {
    throw new Error(`CODEACT_TEST_BUILT_CLI=1 but ${BUILT_CLI_ENTRY} is missing: run npm run build`);
  }
  const nodeArgs = cliNodeArgs(args, options);
  const started = performance.now();
  return new Promise<CliRun>((resolvePromise, reject) => {
    const child = spawn(process.execPath, nodeArgs, { cwd: REPO_ROOT, env, stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`codeact ${args.join(" ")} did not finish in ${options.timeoutMs ?? DEFAULT_CLI_TIMEOUT_MS} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? DEFAULT_CLI_TIMEOUT_MS);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, durationMs: performance.now() - started });
    });
    child.stdin.end(options.stdin ?? "");
    options.onSpawn?.(child, { stdout: () => stdout, stderr: () => stderr });
  });
}
