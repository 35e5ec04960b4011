/**
 * End-to-end tests of `codeact --executor python`: the real CLI, the replay
 * model server, and a real jupyter-server with an IPython kernel.
 */
import { startLocalJupyter, type LocalJupyter } from "../../src/executors/jupyter/index.js";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXIT_ANSWERED } from "../../src/cli/exit-codes.js";
import { startReplayServer, type ReplayServer } from "../support/replay-server.js";
import { runCli } from "../support/run-cli.js";

jest.setTimeout(180_000);

const PYTHON_REPLY = [
  "```python",
  "numbers = [3, 4, 5]",
  'print("sum is", sum(numbers))',
  "sum(numbers) * 10",
  "```",
].join("\n");
const ANSWER = "The sum is 12.";

let server: ReplayServer | undefined;
let jupyter: LocalJupyter | undefined;
afterEach(async () => {
  await server?.close();
  await jupyter?.stop();
  server = undefined;
  jupyter = undefined;
});

async function reachable(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return true;
  } catch {
    return false;
  }
}

describe("codeact --executor python", () => {
  it("starts a local jupyter-server, runs Python in it, and stops it at exit", async () => {
    server = await startReplayServer({ responses: [PYTHON_REPLY, ANSWER] });
    const result = await runCli(["--base-url", server.baseUrl, "--executor", "python", "Add 3, 4 and 5."]);
    expect(result.code).toBe(EXIT_ANSWERED);
    expect(result.stdout).toContain("── step 1 · python ──");
    expect(result.stdout).toContain("sum is 12\n");
    expect(result.stdout).toContain("→ 120");
    expect(result.stdout).toContain(ANSWER);
    // The prompt asked for Python, and the observation came from the kernel.
    const system = server.requests[0]?.messages[0]?.content;
    expect(typeof system === "string" ? system : "").toMatch(/python/i);
    expect(server.requests[1]?.messages.at(-1)?.content).toContain("sum is 12");

    const started = /started a local jupyter-server at (\S+)/.exec(result.stderr);
    expect(started?.[1]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await reachable(`${started?.[1] ?? ""}api/status`)).toBe(false);
  });

  it("runs the kernels in the sandbox by default, and without it only with --no-sandbox", async () => {
    const probe = "```python\nimport os\nprint('cwd', os.getcwd(), 'home', os.path.exists(os.path.expanduser('~/')), 'key', 'OPENAI_API_KEY' in os.environ)\n```";
    server = await startReplayServer({ responses: [probe, "Done.", probe, "Done."] });
    const sandboxed = await runCli(["--base-url", server.baseUrl, "-e", "python", "Where am I?"], { env: { OPENAI_API_KEY: "sk-host-secret" } });
    expect(sandboxed.code).toBe(EXIT_ANSWERED);
    expect(sandboxed.stderr).toContain("kernels in the bubblewrap sandbox");
    expect(sandboxed.stdout).toContain("cwd /scratch home True key False");
    // The model was told where it runs.
    const system = (request: number) => String(server?.requests[request]?.messages[0]?.content ?? "");
    expect(system(0)).toContain("The kernel is sandboxed: it has no network");
    const open = await runCli(["--base-url", server.baseUrl, "-e", "python", "--no-sandbox", "Where am I?"], { env: { OPENAI_API_KEY: "sk-host-secret" } });
    expect(open.code).toBe(EXIT_ANSWERED);
    expect(open.stderr).toContain("kernels NOT sandboxed");
    expect(open.stdout).not.toContain("cwd /scratch");
    expect(open.stdout).toContain("key True");
    expect(system(2)).not.toContain("sandboxed");
  });

  it("uses a given Jupyter server, shuts down its kernels and leaves the server running", async () => {
    jupyter = await startLocalJupyter();
    server = await startReplayServer({ responses: [PYTHON_REPLY, ANSWER] });
    const result = await runCli(
      ["--base-url", server.baseUrl, "-e", "python", "--json", "--quiet", "Add."],
      { env: { JUPYTER_URL: jupyter.baseUrl, JUPYTER_TOKEN: jupyter.token } }
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(EXIT_ANSWERED);
    expect(JSON.parse(result.stdout)).toMatchObject({
      status: "answered",
      answer: ANSWER,
      steps: [{ step: 1, output: "sum is 12\n", value: "120" }],
    });
    const kernels = await fetch(new URL("api/kernels", jupyter.baseUrl), {
      headers: { authorization: `token ${jupyter.token}` },
    });
    expect(kernels.status).toBe(200);
    expect(await kernels.json()).toEqual([]);
  });

  it("checks --jupyter-url and its token before the first model call", async () => {
    jupyter = await startLocalJupyter();
    server = await startReplayServer({ responses: [PYTHON_REPLY, ANSWER] });
    const refused = await runCli(["--base-url", server.baseUrl, "-e", "python", "--jupyter-url", "http://127.0.0.1:9/", "Add."]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/could not start the python executor: .*127\.0\.0\.1:9/);
    const wrongToken = await runCli(
      ["--base-url", server.baseUrl, "-e", "python", "--jupyter-url", jupyter.baseUrl, "Add."],
      { env: { JUPYTER_TOKEN: "not-the-token" } }
    );
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stderr).toMatch(/could not start the python executor: .*(token|unauthori[sz]ed|403|401)/i);
    // Neither run reached the model.
    expect(server.requests).toHaveLength(0);
  });

  it("writes displayed charts and HTML to --outputs-dir, and sends images to the model only with --images", async () => {
    const chart = [
      "```python",
      "import matplotlib.pyplot as plt",
      "from IPython.display import HTML, display",
      "plt.plot([1, 3, 2])",
      "plt.show()",
      "display(HTML('<table><tr><td>42</td></tr></table>'))",
      "```",
    ].join("\n");
    const dir = mkdtempSync(join(tmpdir(), "codeact-outputs-"));
    try {
      for (const images of [false, true]) {
        server = await startReplayServer({ responses: [chart, "Here is the chart."] });
        const outputs = join(dir, images ? "with" : "without");
        const result = await runCli([
          "--base-url", server.baseUrl, "-e", "python", "--outputs-dir", outputs, ...(images ? ["--images"] : []), "Chart it.",
        ]);
        expect(result.code).toBe(EXIT_ANSWERED);
        const png = join(outputs, "step-1-1.png");
        const html = join(outputs, "step-1-2.html");
        expect(result.stdout).toContain(png);
        expect(result.stdout).toContain(html);
        expect(readFileSync(png).subarray(1, 4).toString()).toBe("PNG");
        expect(readFileSync(html, "utf8")).toContain("<td>42</td>");
        const sent = JSON.stringify(server.requests[1]?.messages.at(-1)?.content);
        expect(sent.includes("image_url")).toBe(images);
        await server.close();
        server = undefined;
      }
      expect(existsSync(join(dir, "with"))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
