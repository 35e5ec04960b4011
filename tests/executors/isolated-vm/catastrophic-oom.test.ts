import { spawn } from "node:child_process";
import path from "node:path";

/** Runs the fixture and resolves with its first stdout line, then kills it. */
function runFixture(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(__dirname, "fixtures", "catastrophic-oom.ts")], {
      env: { ...process.env, NODE_OPTIONS: "--no-node-snapshot" },
      stdio: ["ignore", "pipe", "ignore"],
    });
    let buffered = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      buffered += chunk;
      const newline = buffered.indexOf("\n");
      if (newline >= 0) {
        resolve(buffered.slice(0, newline));
        child.kill("SIGKILL");
      }
    });
    child.on("exit", (code, signal) => {
      if (!buffered.includes("\n")) reject(new Error(`fixture exited (${code ?? signal}) without a result`));
    });
  });
}

describe("IsolatedVmExecutor: catastrophic out-of-memory", () => {
  it("returns MemoryLimitError, keeps the host up, and rebuilds the session", async () => {
    const line = await runFixture();
    const result = JSON.parse(line) as { error?: { name: string }; notice?: string; next?: string };
    expect(result.error?.name).toBe("MemoryLimitError");
    expect(result.notice).toMatch(/restored variables keep/);
    expect(result.next).toBe("21");
  }, 60_000);
});
