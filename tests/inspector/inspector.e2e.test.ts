/**
 * The inspector page in headless Chromium (Debian's, driven by playwright-core)
 * against the real LangGraph dev server running the repository's graphs, with
 * a scripted OpenAI-compatible model on loopback. The page talks to the dev
 * server straight from the browser (another origin: the server's CORS).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@langchain/langgraph-sdk";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { startReplayServer, type ChatRequestBody, type ReplayReply, type ReplayServer } from "../support/replay-server.js";
import { REPO_ROOT, startDevServer, type DevServer } from "../studio/dev-server.js";
import { CHROMIUM_ARGS, ensureChromium, startInspector, type InspectorServer } from "./inspector-server.js";

const SETUP_TIMEOUT_MS = 300_000;
const TEST_TIMEOUT_MS = 120_000;
const UI_TIMEOUT_MS = 60_000;
/** How long the scripted model waits before its final answer, so the run is seen live. */
const FINAL_ANSWER_DELAY_MS = 3_000;
/**
 * The README's screenshot is retaken only on request (UPDATE_SCREENSHOT=1), so
 * a test run never changes a tracked file; otherwise it goes to a temp file.
 */
const SCREENSHOT_PATH =
  process.env.UPDATE_SCREENSHOT === "1"
    ? join(REPO_ROOT, "studio/inspector/screenshot.png")
    : join(tmpdir(), `codeact-inspector-${process.pid}.png`);

const JS_LIVE_CODE = [
  'console.log("checking Paris");',
  'const report = await get_weather({ city: "Paris" });',
  "console.log(`Paris: ${report.temperatureC} C`);",
  "report.conditions",
].join("\n");

const PYTHON_CHART_CODE = [
  "import matplotlib.pyplot as plt",
  "from IPython.display import display",
  'cities = ["Paris", "London", "Tokyo"]',
  'temps = {city: get_weather(city=city)["temperatureC"] for city in cities}',
  "fig, ax = plt.subplots(figsize=(4, 2.4), dpi=72)",
  'ax.bar(list(temps), list(temps.values()), color="#4c78a8")',
  'ax.set_title("Temperature (C)")',
  // Displayed the usual way: the kernel sends it as display_data.
  "plt.show()",
  'rows = "".join(f"<tr><td>{c}</td><td>{t}</td></tr>" for c, t in temps.items())',
  // HTML only (no text/plain form); the details carry the markup either way.
  'display({"text/html": f"<table>{rows}</table>"}, raw=True)',
  "max(temps, key=temps.get)",
].join("\n");

const GATED_CODE = [
  'const first = await convert_currency({ amount: 100, from: "EUR", to: "USD" });',
  "let second;",
  'try { second = await convert_currency({ amount: 5, from: "GBP", to: "JPY" }); } catch (error) { second = error.name; }',
  'console.log("first", first, "second", second);',
].join("\n");

const APPROVAL_CODE = 'console.log(await convert_currency({ amount: 100, from: "EUR", to: "USD" }));';

/** Scripts of the model, chosen by a tag in the user's question, one reply per model call. */
const SCRIPTS: Record<string, Array<string | ReplayReply>> = {
  "[live]": [
    `Let me look it up.\n\`\`\`javascript\n${JS_LIVE_CODE}\n\`\`\``,
    { content: "Paris is 18 °C and cloudy.", delayMs: FINAL_ANSWER_DELAY_MS },
  ],
  "[chart]": [
    `I will chart the temperatures.\n\`\`\`python\n${PYTHON_CHART_CODE}\n\`\`\``,
    "Tokyo is the warmest of the three (24 °C).",
  ],
  "[approve]": [
    `Converting.\n\`\`\`javascript\n${APPROVAL_CODE}\n\`\`\``,
    "100 EUR is 108 USD.",
  ],
  "[gated]": [
    `Converting twice.\n\`\`\`javascript\n${GATED_CODE}\n\`\`\``,
    "The first conversion ran with the amount you set; the second was refused.",
  ],
  "[error]": [
    '```javascript\nconst data = JSON.parse("{oops");\n```',
    "The data was not valid JSON.",
  ],
};

function respond(request: ChatRequestBody): string | ReplayReply {
  const users = request.messages.filter((message) => message.role === "user");
  const question = String(users[0]?.content ?? "");
  const tag = Object.keys(SCRIPTS).find((candidate) => question.includes(candidate));
  if (tag === undefined) return "I have no script for that.";
  const script = SCRIPTS[tag] ?? [];
  // Every later user-role message is an observation of a cell.
  return script[Math.min(users.length - 1, script.length - 1)] ?? "Done.";
}

let replay: ReplayServer;
let dev: DevServer;
let inspector: InspectorServer;
let context: BrowserContext;
let userDataDir: string;
let client: Client;

const ASSISTANTS = {
  js: { graphId: "codeact_js", settings: {} },
  python: { graphId: "codeact_python", settings: {} },
  approve: { graphId: "codeact_js", settings: { approve: true } },
  gated: { graphId: "codeact_js", settings: { approveToolCalls: ["convert_currency"] } },
} as const;

/**
 * Creates an assistant of a graph configured for the scripted model. Made
 * per test, right before use: the dev server keeps assistants in memory and
 * a hot reload (a source file changed) may drop them.
 */
async function createAssistant(kind: keyof typeof ASSISTANTS): Promise<string> {
  const { graphId, settings } = ASSISTANTS[kind];
  const created = await client.assistants.create({
    graphId,
    name: `inspector-${kind}`,
    config: { configurable: { baseUrl: replay.baseUrl, model: "replay-model", ...settings } },
  });
  return created.assistant_id;
}

beforeAll(async () => {
  const executablePath = ensureChromium();
  // The Python assistant runs its cells on a local jupyter-server.
  execFileSync("sh", [join(REPO_ROOT, "scripts/install-system-deps.sh")], { stdio: "inherit" });
  replay = await startReplayServer({ responses: Array.from({ length: 200 }, () => respond) });
  dev = await startDevServer({ OPENAI_API_KEY: "test-key" });
  inspector = await startInspector(dev.url);
  client = new Client({ apiUrl: dev.url });
  userDataDir = mkdtempSync(join(tmpdir(), "inspector-chromium-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1360, height: 1000 },
  });
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await context?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  await inspector?.stop();
  await dev?.stop();
  await replay?.close();
}, SETUP_TIMEOUT_MS);

/** Opens the page on a new thread of an assistant and sends a message. */
async function startRun(kind: keyof typeof ASSISTANTS, text: string): Promise<Page> {
  const assistantId = await createAssistant(kind);
  const page = await context.newPage();
  await page.goto(inspector.url);
  const select = page.getByTestId("assistant-select");
  await select.locator(`option[value="${assistantId}"]`).waitFor({ state: "attached", timeout: UI_TIMEOUT_MS });
  await select.selectOption(assistantId);
  await page.locator('[data-testid="graph"] [data-node-id="execute"]').waitFor({ timeout: UI_TIMEOUT_MS });
  await page.getByTestId("new-thread").click();
  await page.getByTestId("composer").fill(text);
  await page.getByTestId("send").click();
  return page;
}

/** Waits for the final answer; on timeout, says what the page and the server showed. */
async function waitForAnswer(page: Page, text: string): Promise<void> {
  try {
    await page.getByTestId("answer").filter({ hasText: text }).waitFor({ timeout: UI_TIMEOUT_MS });
  } catch (error) {
    const shown = await page.locator(".timeline-pane, .graph-pane").allInnerTexts();
    throw new Error(
      `${String(error)}\n--- page ---\n${shown.join("\n").slice(-3_000)}\n--- dev server ---\n${dev.log().slice(-4_000)}`
    );
  }
}

test("serves the built page and proxies the API", async () => {
  const config = (await (await fetch(`${inspector.url}/inspector-config.json`)).json()) as { apiUrl: string };
  expect(config.apiUrl).toBe(dev.url);
  const proxied = await fetch(`${inspector.url}/api/assistants/${await createAssistant("js")}`);
  expect(proxied.status).toBe(200);
  expect(((await proxied.json()) as { graph_id: string }).graph_id).toBe("codeact_js");
  // The dev server answers the page's origin itself, so the default (direct) mode works.
  const preflight = await fetch(`${dev.url}/assistants/search`, {
    method: "OPTIONS",
    headers: { Origin: inspector.url, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type" },
  });
  expect(preflight.headers.get("access-control-allow-origin")).toMatch(/^(\*|http:\/\/127\.0\.0\.1:\d+)$/);
});

test("shows a JavaScript run live: active node, cell output, tool call, then the answer", async () => {
  const page = await startRun("js", "[live] What is the weather in Paris?");
  const cell = page.getByTestId("cell").first();
  // While the model writes its final answer (delayed), the cell has already run.
  await cell.getByTestId("cell-output").filter({ hasText: "Paris: 18 C" }).waitFor({ timeout: UI_TIMEOUT_MS });
  await page.locator('[data-node-id="model"][data-active="true"]').waitFor({ timeout: UI_TIMEOUT_MS });
  expect(await page.getByTestId("answer").count()).toBe(0);
  expect(await page.getByTestId("live-indicator").isVisible()).toBe(true);
  expect(await page.locator('[data-testid="run"]').last().getAttribute("data-run-status")).toBe("running");

  const toolCall = cell.getByTestId("tool-call");
  expect(await toolCall.count()).toBe(1);
  expect(await toolCall.innerText()).toContain("get_weather");
  expect(await toolCall.innerText()).toContain('{"city":"Paris"}');
  expect(await toolCall.getByTestId("tool-result").innerText()).toContain('"temperatureC":18');
  expect(await cell.locator("code.hljs.language-javascript .hljs-keyword").first().innerText()).toBe("const");

  await waitForAnswer(page, "Paris is 18 °C and cloudy.");
  await page.locator('[data-testid="run"][data-run-status="success"]').waitFor({ timeout: UI_TIMEOUT_MS });
  expect(await page.locator('[data-node-id][data-active="true"]').count()).toBe(0);
  expect(await cell.getAttribute("data-status")).toBe("done");
  expect(await cell.getByTestId("cell-value").innerText()).toContain("cloudy");
  expect(await cell.getByTestId("tool-call").count()).toBe(1);
  // A reloaded page reads the tool call from the thread's history.
  await page.reload();
  const reloaded = page.getByTestId("cell").first();
  await reloaded.getByTestId("tool-call").waitFor({ timeout: UI_TIMEOUT_MS });
  expect(await reloaded.getByTestId("tool-call").innerText()).toContain('{"city":"Paris"}');
  expect(await reloaded.getByTestId("tool-result").innerText()).toContain('"temperatureC":18');
  await page.close();
}, TEST_TIMEOUT_MS);

test("shows a failed cell's error and traceback", async () => {
  const page = await startRun("js", "[error] Parse this.");
  await waitForAnswer(page, "not valid JSON");
  const cell = page.getByTestId("cell").first();
  expect(await cell.getAttribute("data-status")).toBe("error");
  expect(await cell.getByTestId("cell-error").innerText()).toContain("SyntaxError");
  await page.close();
}, TEST_TIMEOUT_MS);

test("renders a Python matplotlib chart and sandboxed HTML; takes the README screenshot", async () => {
  const page = await startRun("python", "[chart] Chart the temperatures of Paris, London and Tokyo.");
  await waitForAnswer(page, "Tokyo is the warmest");
  const cell = page.getByTestId("cell").first();
  expect(await cell.getAttribute("data-status")).toBe("done");
  expect(await cell.locator("code.language-python").count()).toBe(1);
  const image = cell.getByTestId("cell-image");
  await image.waitFor({ timeout: UI_TIMEOUT_MS });
  const size = await image.evaluate((element) => {
    const img = element as unknown as { naturalWidth: number; naturalHeight: number; complete: boolean };
    return { width: img.naturalWidth, height: img.naturalHeight, complete: img.complete };
  });
  expect(size.complete).toBe(true);
  expect(size.width).toBeGreaterThan(100);
  expect(size.height).toBeGreaterThan(60);
  expect(await cell.getByTestId("cell-output").count()).toBe(0);
  const frame = cell.getByTestId("cell-html");
  expect(await frame.getAttribute("sandbox")).toBe("");
  expect(await frame.getAttribute("srcdoc")).toContain("<td>Tokyo</td>");
  expect(await cell.getByTestId("cell-value").innerText()).toContain("Tokyo");
  expect(await cell.getByTestId("tool-call").count()).toBe(3);
  await page.locator('[data-testid="run"][data-run-status="success"]').waitFor({ timeout: UI_TIMEOUT_MS });
  await page.getByTestId("answer").scrollIntoViewIfNeeded();
  await page.screenshot({ path: SCREENSHOT_PATH });
  expect(statSync(SCREENSHOT_PATH).size).toBeGreaterThan(10_000);

  // After a reload the page has only the thread's history: chart, HTML and tool calls are still there.
  await page.reload();
  const reloaded = page.getByTestId("cell").first();
  await reloaded.getByTestId("cell-image").waitFor({ timeout: UI_TIMEOUT_MS });
  expect(await reloaded.getByTestId("tool-call").count()).toBe(3);
  expect(await reloaded.getByTestId("tool-call").first().innerText()).toContain('{"city":"Paris"}');
  expect(await reloaded.getByTestId("tool-result").first().innerText()).toContain('"temperatureC"');
  expect(await reloaded.getByTestId("cell-html").getAttribute("srcdoc")).toContain("<td>Tokyo</td>");
  await page.close();
}, TEST_TIMEOUT_MS);

test("an approval is given from the page: the code waits, then runs", async () => {
  const page = await startRun("approve", "[approve] Convert 100 EUR to USD.");
  const approval = page.getByTestId("approval");
  await approval.waitFor({ timeout: UI_TIMEOUT_MS });
  expect(await approval.innerText()).toContain("convert_currency");
  expect(await page.getByTestId("cell").first().getAttribute("data-status")).toBe("approval");
  expect(await page.getByTestId("cell-output").count()).toBe(0);
  await page.getByTestId("approve").click();
  await waitForAnswer(page, "100 EUR is 108 USD.");
  const cell = page.getByTestId("cell").first();
  expect(await cell.getByTestId("cell-output").innerText()).toContain("108");
  expect(await approval.count()).toBe(0);
  // The resumed run is a second run on the thread.
  expect(await page.getByTestId("run").count()).toBe(2);
  await page.close();
}, TEST_TIMEOUT_MS);

test("a tool call inside the code waits on the page: its arguments are edited, the next call is rejected", async () => {
  const page = await startRun("gated", "[gated] Convert two amounts.");
  const panel = page.getByTestId("tool-approval");
  await panel.waitFor({ timeout: UI_TIMEOUT_MS });
  expect(await panel.getByTestId("tool-approval-tool").innerText()).toBe("convert_currency");
  expect(JSON.parse(await panel.getByTestId("tool-approval-args").innerText())).toEqual({ amount: 100, from: "EUR", to: "USD" });
  expect(await page.getByTestId("composer").isDisabled()).toBe(true);

  await panel.getByTestId("edit-args").click();
  const editor = panel.getByTestId("tool-args-editor");
  await editor.fill("{ not json");
  expect(await panel.getByTestId("run-edited-args").isDisabled()).toBe(true);
  await editor.fill(JSON.stringify({ amount: 200, from: "EUR", to: "USD" }));
  await panel.getByTestId("run-edited-args").click();

  // The same cell goes on and stops at its second call.
  await page.getByTestId("tool-approval-args").filter({ hasText: '"GBP"' }).waitFor({ timeout: UI_TIMEOUT_MS });
  expect(JSON.parse(await page.getByTestId("tool-approval-args").innerText())).toEqual({ amount: 5, from: "GBP", to: "JPY" });
  await page.getByTestId("tool-reject-reason").fill("not needed");
  await page.getByTestId("reject-tool").click();

  await waitForAnswer(page, "the second was refused");
  const cell = page.getByTestId("cell").first();
  expect(await cell.getByTestId("cell-output").innerText()).toContain("first 216 second ToolRejectedError");
  expect(await page.getByTestId("tool-approval").count()).toBe(0);
  await page.close();
}, TEST_TIMEOUT_MS);
