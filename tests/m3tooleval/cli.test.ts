import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import { loadTasks, type M3Task } from "../../bench/m3tooleval/data.js";
import { JsonOracle } from "../../bench/m3tooleval/json-oracle.js";
import type { M3Result } from "../../bench/m3tooleval/runner.js";
import { startReplayServer, type ReplayServer } from "../support/replay-server.js";
import { codeActOracleScript, jsonOracleScript } from "./helpers.js";

jest.setTimeout(120_000);

const REPO_ROOT = resolve(__dirname, "../..");
const RUN_TIMEOUT_MS = 90_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run eval:m3 -- ...args` in a child process. */
function evalM3(args: readonly string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ["OPENAI_API_KEY", "OPENAI_BASE_URL", "NODE_OPTIONS", "LANGSMITH_TRACING", "LANGCHAIN_TRACING_V2"]) {
    delete env[name];
  }
  return new Promise((resolvePromise, reject) => {
    const child = spawn("npm", ["run", "--silent", "eval:m3", "--", ...args], { cwd: REPO_ROOT, env, stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`eval:m3 did not finish\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, RUN_TIMEOUT_MS);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    child.stdin.end();
  });
}

/** The summary table's rows by group: [tasks, faithful, normalized, avg turns]. */
function tableRows(stdout: string): Map<string, string[]> {
  const lines = stdout.trim().split("\n");
  const header = lines.findIndex((line) => line.startsWith("group"));
  expect(header).toBeGreaterThanOrEqual(0);
  expect(lines[header]?.split(/\s{2,}/)).toEqual(["group", "tasks", "success (faithful)", "success (normalized)", "avg turns", "avg prompt tokens"]);
  return new Map(
    lines.slice(header + 2).map((line) => {
      const [group = "", ...cells] = line.trim().split(/\s+/);
      // The prompt tokens the server reported (the replay server counts roughly): a whole number.
      expect(cells[4]).toMatch(/^\d+$/);
      return [group, cells.slice(0, 4)];
    })
  );
}

function readResults(path: string): M3Result[] {
  return readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as M3Result);
}

function tasksMatching(substring: string, limit: number): M3Task[] {
  return loadTasks()
    .filter((task) => task.name.includes(substring))
    .slice(0, limit);
}

describe("npm run eval:m3 (child process) against the replay server", () => {
  let directory: string;
  let server: ReplayServer | undefined;

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), "m3-cli-"));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  function modelArgs(replay: ReplayServer): string[] {
    return ["--model", "replay-model", "--base-url", replay.baseUrl, "--api-key", "test"];
  }

  it("json mode: one task solved in 4 turns, one stopped at 10; JSONL rows and summary", async () => {
    const tasks = tasksMatching("message_decoder/", 2);
    // The oracles answer by rerunning their code: the executor lives until the run ends.
    const executor = new IsolatedVmExecutor();
    let run: Run;
    const out = join(directory, "json.jsonl");
    try {
      const oracles = new Map<string, JsonOracle>();
      for (const task of tasks) oracles.set(task.name, await JsonOracle.record(task, executor));
      server = await startReplayServer({ responses: jsonOracleScript(oracles, tasks) });
      run = await evalM3(["--mode", "json", ...modelArgs(server), "--tasks", "message_decoder/", "--limit", "2", "--out", out]);
    } finally {
      await executor.close();
    }
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("M3ToolEval, mode json, model replay-model");

    const results = readResults(out);
    expect(results.map((result) => result.task).sort()).toEqual(tasks.map((task) => task.name).sort());
    const byTask = new Map(results.map((result) => [result.task, result]));
    const solved = byTask.get("message_decoder/full_alien_message_decoding");
    expect(solved).toMatchObject({ mode: "json", domain: "message_decoder", turns: 4, answer: "fchahcufcu", success: { faithful: true, normalized: true } });
    const stopped = byTask.get("message_decoder/shortest_caesar_decoded_message");
    expect(stopped).toMatchObject({ turns: 10, answer: null, success: { faithful: false, normalized: false } });
    for (const result of results) {
      expect(Object.keys(result).sort()).toEqual(["answer", "domain", "durationMs", "inputTokens", "mode", "success", "task", "turns"]);
      expect(result.inputTokens).toBeGreaterThan(0);
      expect(result.durationMs).toBeGreaterThan(0);
    }
    // 4 + 10 model calls went over HTTP.
    expect(server.requests).toHaveLength(14);

    const rows = tableRows(run.stdout);
    expect(rows.get("overall")).toEqual(["2", "50.0%", "50.0%", "7.00"]);
    expect(rows.get("message_decoder")).toEqual(["2", "50.0%", "50.0%", "7.00"]);
  });

  it("codeact-js mode: three tasks, two at a time, each solved in 2 turns", async () => {
    const tasks = tasksMatching("trade_calculator/", 3);
    server = await startReplayServer({ responses: codeActOracleScript("javascript", tasks) });
    const out = join(directory, "codeact.jsonl");
    const run = await evalM3([
      "--mode", "codeact-js", ...modelArgs(server),
      "--tasks", "trade_calculator/", "--limit", "3", "--concurrency", "2", "--out", out,
    ]);
    expect(run.code).toBe(0);
    const results = readResults(out);
    expect(results).toHaveLength(3);
    for (const result of results) {
      expect(result).toMatchObject({ mode: "codeact-js", domain: "trade_calculator", turns: 2, success: { normalized: true } });
    }
    expect(server.requests).toHaveLength(6);
    const rows = tableRows(run.stdout);
    expect(rows.get("overall")).toEqual(["3", "100.0%", "100.0%", "2.00"]);
    expect(rows.get("trade_calculator")?.[0]).toBe("3");
  });

  it("json mode with --oracle needs no model server", async () => {
    const run = await evalM3(["--mode", "json", "--oracle", "--tasks", "people_in_", "--out", join(directory, "oracle.jsonl")]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("M3ToolEval, mode json, oracle");
    const results = readResults(join(directory, "oracle.jsonl"));
    expect(results.map((result) => [result.task, result.answer, result.success.normalized]).sort()).toEqual([
      ["web_browsing/people_in_customer_support", "6", true],
      ["web_browsing/people_in_sales", "4", true],
    ]);
  });

  it("codeact-js with --context-window and --fallback: the options reach the agent and the summary says so", async () => {
    const tasks = tasksMatching("trade_calculator/", 1);
    // An unreadable first reply, then the oracle's code and answer: no switch with --fallback 2.
    server = await startReplayServer({ responses: ["<think>unfinished", ...codeActOracleScript("javascript", tasks)] });
    const out = join(directory, "options.jsonl");
    const run = await evalM3([
      "--mode", "codeact-js", ...modelArgs(server), "--tasks", "trade_calculator/", "--limit", "1",
      "--context-window", "1", "--fallback", "2", "--out", out,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("(context window 1, tool-calling fallback after 2); 0 task(s) switched to tool calls");
    const [result] = readResults(out);
    expect(result?.success.normalized).toBe(true);
    // The unreadable reply cost a turn, corrected (not taken as an answer).
    expect(result?.turns).toBeGreaterThanOrEqual(3);
    expect(server.requests[1]?.messages.at(-1)?.content).toContain("Your reply could not be read");
    const json = await evalM3(["--mode", "json", "--oracle", "--context-window", "2"]);
    expect(json.code).toBe(2);
    expect(json.stderr).toContain("--context-window and --fallback apply to the CodeAct modes");
  });

  it("rejects a bad number with exit code 2", async () => {
    const run = await evalM3(["--mode", "json", "--oracle", "--concurrency", "zero"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--concurrency must be a positive integer");
  });
});
