/**
 * End-to-end tests of the `codeact` command: the real CLI in a child process,
 * the real ChatOpenAI client over HTTP to a scripted OpenAI-compatible
 * server, and the real isolated-vm executor.
 */
import { createServer } from "node:net";
import {
  EXIT_ANSWERED,
  EXIT_FAILED,
  EXIT_INTERRUPTED,
  EXIT_MAX_STEPS,
  EXIT_USAGE,
} from "../../src/cli/exit-codes.js";
import { startReplayServer, type ReplayResponse, type ReplayServer } from "../support/replay-server.js";
import { spawn } from "node:child_process";
import { cliNodeArgs, REPO_ROOT, runCli, type RunCliOptions } from "../support/run-cli.js";
import { childrenOf, isAlive, until } from "../support/processes.js";

jest.setTimeout(120_000);

const SUM_CODE = [
  "const numbers = [3, 4, 5];",
  "const total = numbers.reduce((sum, n) => sum + n, 0);",
  'console.log("sum is", total);',
  "total * 10",
].join("\n");
const SUM_REPLY = `I will add them up.\n\`\`\`javascript\n${SUM_CODE}\n\`\`\``;
const SUM_ANSWER = "The sum of 3, 4 and 5 is 12.";

interface CliFixture {
  server: ReplayServer;
  run(args: string[], options?: RunCliOptions): ReturnType<typeof runCli>;
}

async function withServer(responses: ReplayResponse[]): Promise<CliFixture> {
  const server = await startReplayServer({ responses });
  servers.push(server);
  return {
    server,
    run: (args, options = {}) =>
      runCli(["--base-url", server.baseUrl, ...args], options),
  };
}

const servers: ReplayServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** The text of the last message of a recorded request. */
function lastMessageText(server: ReplayServer, index: number): string {
  const content = server.requests[index]?.messages.at(-1)?.content;
  if (typeof content === "string") return content;
  return (content ?? []).map((part) => part.text ?? "").join("");
}

describe.each([
  ["streaming", [] as string[], true],
  ["--no-stream", ["--no-stream"], false],
])("codeact (%s)", (_label, flags, streamed) => {
  it("runs code, shows it with its output and value, and prints the answer", async () => {
    const { server, run } = await withServer([SUM_REPLY, SUM_ANSWER]);
    const result = await run([...flags, "Add 3, 4 and 5."]);

    expect(result.stderr).toBe("");
    expect(result.code).toBe(EXIT_ANSWERED);
    const { stdout } = result;
    const codeAt = stdout.indexOf("│ const total = numbers.reduce((sum, n) => sum + n, 0);");
    const outputAt = stdout.indexOf("sum is 12\n");
    const valueAt = stdout.indexOf("→ 120");
    const answerAt = stdout.indexOf(SUM_ANSWER);
    expect(stdout).toContain("── step 1 · javascript ──");
    expect(codeAt).toBeGreaterThan(-1);
    expect(outputAt).toBeGreaterThan(codeAt);
    expect(valueAt).toBeGreaterThan(outputAt);
    expect(answerAt).toBeGreaterThan(valueAt);
    expect(stdout).not.toContain("\u001b["); // not a terminal: no colour

    // The model saw the task first, then the observation of the code it wrote.
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]?.messages[0]?.role).toBe("system");
    expect(lastMessageText(server, 0)).toBe("Add 3, 4 and 5.");
    expect(lastMessageText(server, 1)).toContain("sum is 12");
    expect(lastMessageText(server, 1)).toContain("120");
    for (const request of server.requests) expect(request.stream === true).toBe(streamed);
  });
});

describe("codeact --json", () => {
  it("prints exactly one JSON object with every step, and nothing else on stdout", async () => {
    const { run } = await withServer([
      "```javascript\nconst broken = null;\nbroken.field\n```",
      `Let me fix that.\n\`\`\`javascript\n${SUM_CODE}\n\`\`\``,
      SUM_ANSWER,
    ]);
    const result = await run(["--json", "Add 3, 4 and 5."]);
    expect(result.code).toBe(EXIT_ANSWERED);
    const report = JSON.parse(result.stdout) as {
      status: string;
      exitCode: number;
      answer: string;
      stepCount: number;
      steps: Array<{ step: number; code: string; output: string; value?: string; error?: { name: string; message: string; traceback?: string } }>;
    };
    expect(result.stdout.trim().split("\n")).toHaveLength(1);
    expect(report).toMatchObject({ status: "answered", exitCode: 0, answer: SUM_ANSWER, stepCount: 2 });
    expect(report.steps).toHaveLength(2);
    expect(report.steps[0]?.code).toBe("const broken = null;\nbroken.field");
    expect(report.steps[0]?.error?.name).toBe("TypeError");
    expect(report.steps[0]?.error?.message).toMatch(/null/);
    expect(report.steps[1]).toMatchObject({ step: 2, code: SUM_CODE, output: "sum is 12\n", value: "120" });
    expect(report.steps[1]?.error).toBeUndefined();
    // Progress went to stderr instead.
    expect(result.stderr).toContain("── step 2 · javascript ──");
    expect(result.stderr).toContain("✗ TypeError");
  });

  it("with --quiet keeps stderr empty too", async () => {
    const { run } = await withServer([SUM_REPLY, SUM_ANSWER]);
    const result = await run(["--json", "--quiet", "Add."]);
    expect(result.code).toBe(EXIT_ANSWERED);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toMatchObject({ answer: SUM_ANSWER, stepCount: 1 });
  });
});

describe("codeact input and output modes", () => {
  it("reads the task from stdin when it is '-'", async () => {
    const { server, run } = await withServer(["No code needed: 4."]);
    const result = await run(["-"], { stdin: "What is 2+2?\n" });
    expect(result.code).toBe(EXIT_ANSWERED);
    expect(lastMessageText(server, 0)).toBe("What is 2+2?");
    expect(result.stdout).toContain("No code needed: 4.");
  });

  it("reads the task from stdin when none is given", async () => {
    const { server, run } = await withServer(["Piped."]);
    const result = await run(["--quiet"], { stdin: "piped task" });
    expect(result.code).toBe(EXIT_ANSWERED);
    expect(lastMessageText(server, 0)).toBe("piped task");
    expect(result.stdout).toBe("Piped.\n");
  });

  it("prints only the answer with --quiet", async () => {
    const { run } = await withServer([SUM_REPLY, SUM_ANSWER]);
    const result = await run(["--quiet", "Add."]);
    expect(result.code).toBe(EXIT_ANSWERED);
    expect(result.stdout).toBe(`${SUM_ANSWER}\n`);
  });

  it("runs in a Node started without --no-node-snapshot, in one process (the sandbox worker gets the flag)", async () => {
    const { run } = await withServer([SUM_REPLY, SUM_ANSWER]);
    const result = await run(["Add."], { noNodeSnapshot: false });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(EXIT_ANSWERED);
    expect(result.stdout).toContain("sum is 12");
    expect(result.stdout).toContain(SUM_ANSWER);
  });

  it("prints help and version", async () => {
    const help = await runCli(["--help"]);
    expect(help.code).toBe(EXIT_ANSWERED);
    expect(help.stdout).toMatch(/^codeact \d+\.\d+\.\d+/);
    expect(help.stdout).toContain("Exit codes:");
    const version = await runCli(["--version"]);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe("codeact failures", () => {
  it("exits 2 and says what to set when no model server is configured", async () => {
    const result = await runCli(["Add 3, 4 and 5."]);
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("OPENAI_API_KEY");
    expect(result.stderr).toContain("--base-url");
    expect(result.stderr).toContain("export OPENAI_API_KEY=");
  });

  it("exits 2 on a bad option", async () => {
    const result = await runCli(["--max-steps", "none", "task"], { env: { OPENAI_API_KEY: "k" } });
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.stderr).toContain('--max-steps must be a whole number of at least 1, got "none"');
  });

  it("exits 3 when --max-steps is spent without an answer", async () => {
    const { server, run } = await withServer([
      (_request, index) => `\`\`\`javascript\nconsole.log("attempt ${index + 1}")\n\`\`\``,
      (_request, index) => `\`\`\`javascript\nconsole.log("attempt ${index + 1}")\n\`\`\``,
    ]);
    const result = await run(["--max-steps", "1", "Never finish."]);
    expect(result.code).toBe(EXIT_MAX_STEPS);
    expect(result.stdout).toContain("attempt 1");
    expect(result.stdout).not.toContain("attempt 2");
    expect(result.stdout).not.toContain("── answer ──");
    expect(result.stderr).toMatch(/stopped after 1 code execution/);
    expect(result.stderr).toContain("--max-steps");
    expect(server.requests).toHaveLength(2);
  });

  it("reports max_steps in --json", async () => {
    const loop = "```javascript\nconsole.log('again')\n```";
    const { run } = await withServer([loop, loop, loop]);
    const result = await run(["--json", "--quiet", "--max-steps", "2", "Never finish."]);
    expect(result.code).toBe(EXIT_MAX_STEPS);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: "max_steps", exitCode: 3, answer: null, stepCount: 2 });
  });

  it("exits 1 with the server's message when the model server answers 500, after the retries", async () => {
    const failure = { status: 500, errorMessage: "the model fell over" };
    const { server, run } = await withServer([failure, failure]);
    const result = await run(["--max-retries", "1", "Add."]);
    expect(result.code).toBe(EXIT_FAILED);
    expect(result.stderr).toContain(`the model server at ${server.baseUrl} answered HTTP 500`);
    expect(result.stderr).toContain("the model fell over");
    expect(result.stderr).not.toMatch(/^\s+at /m); // no stack trace by default
    expect(server.requests).toHaveLength(2);
  });

  it("prints the stack trace with CODEACT_DEBUG=1", async () => {
    const { run } = await withServer([{ status: 500, errorMessage: "down" }]);
    const result = await run(["--max-retries", "0", "Add."], { env: { CODEACT_DEBUG: "1" } });
    expect(result.code).toBe(EXIT_FAILED);
    expect(result.stderr).toMatch(/^\s+at /m);
  });

  it("exits 1 with a clear message when the model server is unreachable", async () => {
    const port = await closedPort();
    const baseUrl = `http://127.0.0.1:${port}/v1`;
    const result = await runCli(["--base-url", baseUrl, "--max-retries", "0", "--json", "Add."]);
    expect(result.code).toBe(EXIT_FAILED);
    expect(result.stderr).toContain(`could not reach the model server at ${baseUrl}`);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: "failed", exitCode: 1, steps: [] });
  });

  it("streams a cell's output live and exits 130 on Ctrl-C, aborting the cell", async () => {
    const { run } = await withServer([
      '```javascript\nconsole.log("spinning");\nwhile (true) {}\n```',
      "unreachable",
    ]);
    let signalledAt = 0;
    const result = await run(["--timeout-ms", "60000", "Spin."], {
      onSpawn(child, output) {
        // The output arrives while the cell is still looping: it is live.
        const poll = setInterval(() => {
          if (output.stdout().includes("spinning\n")) {
            clearInterval(poll);
            signalledAt = performance.now();
            child.kill("SIGINT");
          }
        }, 50);
        child.once("close", () => clearInterval(poll));
      },
    });
    expect(signalledAt).toBeGreaterThan(0);
    expect(result.code).toBe(EXIT_INTERRUPTED);
    expect(result.stderr).toContain("codeact: interrupted");
    expect(result.stdout).not.toContain("unreachable");
    // Far less than the cell's 60 s timeout: the abort stopped the loop.
    expect(performance.now() - signalledAt).toBeLessThan(20_000);
  });
});

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("codeact output for people", () => {
  it("shows the model's words before its code, and an error's headline once", async () => {
    const { run } = await withServer([
      "Let me look at the field first.\n```javascript\nconst item = null;\nitem.price\n```",
      "The item has no price.",
    ]);
    const result = await run(["Price?"]);
    expect(result.code).toBe(EXIT_ANSWERED);
    const words = result.stdout.indexOf("Let me look at the field first.");
    const code = result.stdout.indexOf("item.price");
    expect(words).toBeGreaterThan(-1);
    expect(code).toBeGreaterThan(words);
    expect(result.stdout).toContain("✗ TypeError: Cannot read properties of null");
    expect(result.stdout.match(/TypeError: Cannot read properties of null/g)).toHaveLength(1);
  });
});




describe("codeact --mcp", () => {
  const everything = require.resolve("@modelcontextprotocol/server-everything/dist/index.js");

  it("gives the agent a real MCP server's tools, structured results as objects", async () => {
    const code = 'const w = await everything__get_structured_content({ location: "New York" });\nconsole.log("humidity", w.humidity)';
    const { run, server } = await withServer([`\`\`\`javascript\n${code}\n\`\`\``, "It is humid: 82%."]);
    const result = await run(["--mcp", `${process.execPath} ${everything} stdio`, "How humid is New York?"]);
    expect(result.code).toBe(EXIT_ANSWERED);
    expect(result.stdout).toContain("humidity 82");
    expect(result.stdout).toContain("It is humid: 82%.");
    // the model was told about the server's tools, typed
    const prompt = JSON.stringify(server.requests[0]?.messages[0]?.content);
    expect(prompt).toContain("everything__get_structured_content");
    expect(prompt).toMatch(/humidity:number/);
  });

  it("exits 1 naming the server when it cannot start, before any model call", async () => {
    const { run, server } = await withServer(["never used"]);
    const result = await run(["--mcp", "broken=/nonexistent/mcp-server", "task"]);
    expect(result.code).toBe(EXIT_FAILED);
    expect(result.stderr + result.stdout).toMatch(/could not start the MCP server broken/);
    expect(server.requests).toHaveLength(0);
  });
});

describe("codeact when whoever started it is killed", () => {
  it("stops, and its sandbox worker with it, when its parent dies without passing the signal on", async () => {
    const { server } = await withServer(["Working.\n```javascript\nwhile (true) {}\n```", "done"]);
    // A parent like npx under `timeout`: it starts the CLI and, killed, does not forward the signal.
    const wrapperScript = [
      "const { spawn } = require('node:child_process');",
      `const child = spawn(process.execPath, ${JSON.stringify(cliNodeArgs(["--base-url", server.baseUrl, "--timeout-ms", "60000", "Loop."]))}, { cwd: ${JSON.stringify(REPO_ROOT)}, stdio: 'ignore' });`,
      "process.stdout.write(String(child.pid) + '\\n');",
      "setInterval(() => {}, 1000);",
    ].join("\n");
    const wrapper = spawn(process.execPath, ["-e", wrapperScript], { stdio: ["ignore", "pipe", "inherit"] });
    const cliPid = await new Promise<number>((resolve) => wrapper.stdout.once("data", (chunk: Buffer) => resolve(Number(String(chunk).trim()))));
    // Wait until the cell runs: the model was asked, and the CLI has its worker.
    expect(await until(() => server.requests.length >= 1 && childrenOf(cliPid).length > 0, 30_000)).toBe(true);
    const workers = childrenOf(cliPid);
    wrapper.kill("SIGTERM");
    expect(await until(() => !isAlive(cliPid), 15_000)).toBe(true);
    expect(await until(() => workers.every((pid) => !isAlive(pid)), 10_000)).toBe(true);
  });
});
