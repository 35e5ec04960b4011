import { spawn } from "node:child_process";
import { join } from "node:path";
import type { FixtureInput, FixtureOutput } from "./fixtures/resume-agent.js";

export type { FixtureInput, FixtureOutput };

const FIXTURE = join(__dirname, "fixtures/resume-agent.ts");
const PROCESS_TIMEOUT_MS = 90_000;

/**
 * Runs one turn of the agent in a fresh Node process and returns what it
 * printed. Rejects with the child's stderr when it fails or hangs.
 */
export function runAgentProcess(input: FixtureInput): Promise<FixtureOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--no-node-snapshot", "--import", "tsx", FIXTURE, JSON.stringify(input)], {
      env: { ...process.env, NODE_OPTIONS: "--no-node-snapshot" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-20_000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), PROCESS_TIMEOUT_MS);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split("\n").at(-1) ?? "";
      if (code !== 0 || line === "") {
        reject(new Error(`agent process exited (${code ?? signal}):\n${stderr}\n${stdout}`));
        return;
      }
      try {
        resolve(JSON.parse(line) as FixtureOutput);
      } catch {
        reject(new Error(`agent process printed no JSON:\n${stdout}\n${stderr}`));
      }
    });
  });
}

/** A long-lived agent process (a server worker): turns are sent one at a time; it keeps its executor between them. */
export interface AgentWorker {
  run(input: FixtureInput): Promise<FixtureOutput>;
  close(): Promise<void>;
}

export function startAgentWorker(): AgentWorker {
  const child = spawn(process.execPath, ["--no-node-snapshot", "--import", "tsx", FIXTURE, "--serve"], {
    env: { ...process.env, NODE_OPTIONS: "--no-node-snapshot" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-20_000)));
  const waiting: Array<{ resolve: (output: FixtureOutput) => void; reject: (error: Error) => void }> = [];
  let buffered = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    buffered += chunk;
    for (let end = buffered.indexOf("\n"); end !== -1; end = buffered.indexOf("\n")) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      const next = waiting.shift();
      if (!next) continue;
      try {
        next.resolve(JSON.parse(line) as FixtureOutput);
      } catch {
        next.reject(new Error(`agent worker printed no JSON:\n${line}\n${stderr}`));
      }
    }
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => {
    for (const pending of waiting.splice(0)) pending.reject(new Error(`agent worker exited:\n${stderr}`));
    resolve();
  }));
  return {
    run: (input) =>
      new Promise<FixtureOutput>((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin.write(`${JSON.stringify(input)}\n`);
      }),
    close: async () => {
      child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

const fence = (language: string, code: string) => "```" + language + "\n" + code + "\n```";
export const js = (code: string) => fence("javascript", code);
export const py = (code: string) => fence("python", code);

/** The observations (code results) among `type: text` messages. */
export const observations = (output: FixtureOutput): string[] =>
  output.messages.slice(output.messagesBefore).filter((message) => message.startsWith("human:")).slice(1);
