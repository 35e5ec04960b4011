import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { HumanMessage } from "@langchain/core/messages";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { Client } from "langsmith";
import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import { createCodeActAgent } from "../../src/graph/create-codeact-graph.js";
import { createTraceSession } from "../../src/tracing/index.js";
import { buildTrees, startCaptureServer, type CaptureServer } from "./capture-server.js";
import { addTool, divideTool, flushCallbacks, js, TEST_API_KEY, useLangSmithEnvironment } from "./helpers.js";

// LangSmith failing must never fail or hold up a run. The client logs its
// failures: keep them out of the test output, but count them. Each test ends
// by bringing the endpoint back so the client's retries drain before the
// next test (they would otherwise go on for about 90 seconds).
let capture: CaptureServer;
// In-process: the run deadline below times LangSmith failures, not a worker start.
const executor = new IsolatedVmExecutor({ timeoutMs: 10_000, isolation: "in-process" });
const logged: unknown[][] = [];
const RUN_DEADLINE_MS = 5_000;

beforeAll(async () => {
  capture = await startCaptureServer({ failWithStatus: 500 });
  useLangSmithEnvironment(capture.url, "tracing-failures");
  for (const method of ["error", "warn"] as const) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logged.push(args);
    });
  }
});
afterAll(async () => {
  await executor.close();
  await capture.close();
  jest.restoreAllMocks();
});

function newAgent(): ReturnType<typeof createCodeActAgent> {
  const code = "const s = await add({ a: 1, b: 2 });\ntry { await divide({ a: 1, b: 0 }) } catch (e) { console.log(e.message) }\ns";
  return createCodeActAgent({
    model: new FakeListChatModel({ responses: [js(code), "3"] }),
    executor,
    tools: [addTool, divideTool],
  });
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const isIngest = (path: string) => path === "/runs/batch" || path === "/runs/multipart";

it("finishes the run when the LangSmith endpoint answers 500, and delivers the trace once it recovers", async () => {
  const started = performance.now();
  const state = await newAgent().invoke({ messages: [new HumanMessage("1+2?")] });
  expect(performance.now() - started).toBeLessThan(RUN_DEADLINE_MS);
  expect(state.messages.at(-1)?.content).toBe("3");
  expect(JSON.stringify(state.messages.at(-2)?.content)).toContain("divide: division by zero");

  // The client did try (first `GET /info`, retried with back-off before it
  // sends runs), and was refused.
  await waitFor(() => capture.requests.length > 0, 10_000);
  expect(capture.operations).toHaveLength(0);

  capture.failWithStatus = undefined;
  await flushCallbacks();
  expect(capture.requests.some((request) => isIngest(request.path))).toBe(true);
  const [root] = buildTrees(capture.runs());
  expect(root?.run.name).toBe("codeact_agent");
}, 60_000);

it("finishes the run, and the CLI's helpers return in time, when the endpoint refuses connections", async () => {
  const port = await freePort();
  const session = createTraceSession({
    force: true,
    client: new Client({ apiUrl: `http://127.0.0.1:${port}`, apiKey: TEST_API_KEY }),
  });
  if (session === undefined) throw new Error("a forced session is always created");
  const started = performance.now();
  const state = await newAgent().invoke({ messages: [new HumanMessage("1+2?")] }, session.config);
  expect(performance.now() - started).toBeLessThan(RUN_DEADLINE_MS);
  expect(state.messages.at(-1)?.content).toBe("3");

  const flushStarted = performance.now();
  await session.flush({ timeoutMs: 1_000 });
  expect(await session.traceUrl({ timeoutMs: 1_000 })).toBeUndefined();
  expect(performance.now() - flushStarted).toBeLessThan(3_000);

  // Bring the endpoint up: the retries deliver the trace.
  const revived = await startCaptureServer({ port });
  try {
    await session.flush({ timeoutMs: 45_000 });
    expect(buildTrees(revived.runs()).map((tree) => tree.run.id)).toEqual([session.runId]);
  } finally {
    await revived.close();
  }
}, 60_000);

/** A loopback port with nothing listening: connections are refused. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
