/**
 * `codeact --trace`: the real CLI posts its run to a LangSmith-compatible
 * capture endpoint and prints the trace URL.
 */
import { EXIT_ANSWERED } from "../../src/cli/exit-codes.js";
import { startReplayServer, type ReplayServer } from "../support/replay-server.js";
import { runCli } from "../support/run-cli.js";
import { buildTrees, flatten, startCaptureServer, type CaptureServer } from "../tracing/capture-server.js";

jest.setTimeout(120_000);

const CODE = "const squares = [1, 2, 3].map((n) => n * n);\nconsole.log(squares.join(' '));";
let model: ReplayServer;
let langsmith: CaptureServer;

beforeEach(async () => {
  model = await startReplayServer({ responses: [`\`\`\`javascript\n${CODE}\n\`\`\``, "The squares are 1, 4 and 9."] });
  langsmith = await startCaptureServer();
});
afterEach(async () => {
  await Promise.all([model.close(), langsmith.close()]);
});

const langsmithEnv = (): Record<string, string> => ({
  LANGSMITH_ENDPOINT: langsmith.url,
  LANGSMITH_API_KEY: "test-key",
  LANGSMITH_PROJECT: "cli-trace-test",
});

it("--trace sends one trace with the cell and prints its URL", async () => {
  const run = await runCli(["--base-url", model.baseUrl, "--trace", "square 1..3"], { env: langsmithEnv() });
  expect(run.code).toBe(EXIT_ANSWERED);
  expect(run.stdout).toContain("The squares are 1, 4 and 9.");

  const roots = buildTrees(langsmith.runs());
  expect(roots).toHaveLength(1);
  const runs = flatten(roots);
  const cell = runs.find((node) => node.run.name === "execute_code");
  expect(cell?.run.inputs).toEqual({ code: CODE });
  expect(String(cell?.run.outputs?.["output"])).toContain("1 4 9");
  expect(runs.filter((node) => node.run.run_type === "llm")).toHaveLength(2);

  const rootId = roots[0]?.run.id;
  expect(run.stderr).toMatch(new RegExp(`Trace: \\S+/r/${rootId}`));
});

it("traces nothing without --trace or LANGSMITH_TRACING", async () => {
  const run = await runCli(["--base-url", model.baseUrl, "square 1..3"], { env: langsmithEnv() });
  expect(run.code).toBe(EXIT_ANSWERED);
  expect(langsmith.requests).toHaveLength(0);
  expect(run.stderr).not.toContain("Trace:");
});
