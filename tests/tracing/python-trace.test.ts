import { HumanMessage } from "@langchain/core/messages";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import {
  JupyterExecutor,
  startLocalJupyter,
  type LocalJupyter,
} from "../../src/executors/jupyter/index.js";
import { createCodeActAgent } from "../../src/graph/create-codeact-graph.js";
import { buildTrees, flatten, outline, startCaptureServer, type CaptureServer } from "./capture-server.js";
import {
  addTool,
  divideTool,
  flushCallbacks,
  metadataOf,
  only,
  py,
  useLangSmithEnvironment,
} from "./helpers.js";

// A real jupyter-server and Python kernel; the tools are called through the
// kernel's stdin channel, and their runs must nest under the cell like
// JavaScript ones.
jest.setTimeout(90_000);

let capture: CaptureServer;
let jupyter: LocalJupyter;
let executor: JupyterExecutor;

beforeAll(async () => {
  capture = await startCaptureServer();
  useLangSmithEnvironment(capture.url, "python-tracing");
  jupyter = await startLocalJupyter();
  executor = new JupyterExecutor({ baseUrl: jupyter.baseUrl, token: jupyter.token });
});
afterAll(async () => {
  await executor?.close();
  await jupyter?.stop();
  await capture.close();
});

// A valid PNG of random pixels, made with the standard library, shown with
// IPython's display machinery (as matplotlib figures are).
const PNG_CELL = `
import os, struct, zlib, hashlib
from IPython.display import Image, display

def _png(width, height):
    raw = b"".join(b"\\x00" + os.urandom(width * 3) for _ in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 0)) + chunk(b"IEND", b"")

png = _png(400, 300)
display(Image(data=png, format="png"))
print(len(png), hashlib.sha256(png).hexdigest())
`;

it("nests Python tool calls under their cell, with arguments and result or error", async () => {
  const code = [
    "total = add(2, b=5)",
    "try:",
    "    divide(a=1, b=0)",
    "except Exception as error:",
    "    print('caught:', error)",
    "total",
  ].join("\n");
  const agent = createCodeActAgent({
    model: new FakeListChatModel({ responses: [py(code), "It is 7."] }),
    executor,
    tools: [addTool, divideTool],
    name: "python_agent",
  });
  const state = await agent.invoke({ messages: [new HumanMessage("2+5?")] }, {
    configurable: { thread_id: "python-trace" },
  });
  expect(state.messages.at(-1)?.content).toBe("It is 7.");
  await flushCallbacks();

  const trees = buildTrees(capture.runs());
  expect(trees).toHaveLength(1);
  const runs = flatten(trees);
  const cell = only(runs, "execute_code");
  expect(outline(cell)).toEqual(["chain:execute_code", "  tool:add", "  tool:divide"]);
  expect(cell.run.inputs).toEqual({ code });
  expect(cell.run.outputs?.["value"]).toBe("7");
  // (The Jupyter executor currently prefixes the tool name twice.)
  // one prefix, from the tool layer, exactly as in JavaScript
  expect(cell.run.outputs?.["output"]).toMatch(/caught: divide: division by zero\n/);
  expect(metadataOf(cell.run)).toMatchObject({
    codeact_executor: "jupyter",
    codeact_language: "python",
    codeact_session: "python-trace",
    codeact_truncated: false,
  });
  const [add, divide] = cell.children;
  expect(add?.run).toMatchObject({ inputs: { a: 2, b: 5 }, outputs: { output: 7 } });
  expect(divide?.run.inputs).toEqual({ a: 1, b: 0 });
  expect(divide?.run.error).toMatch(/^division by zero/);
});

it("references a displayed image by size and hash instead of sending its base64", async () => {
  capture.reset();
  const agent = createCodeActAgent({
    model: new FakeListChatModel({ responses: [py(PNG_CELL), "Shown."] }),
    executor,
  });
  await agent.invoke({ messages: [new HumanMessage("draw")] }, { configurable: { thread_id: "python-image" } });
  await flushCallbacks();

  const cell = only(flatten(buildTrees(capture.runs())), "execute_code").run;
  // Python printed the image's size and hash on its first line (a containment notice, such as a
  // thread of an earlier cell still running, may follow): the trace must carry the same.
  const [bytes, sha256] = (String(cell.outputs?.["output"]).trim().split("\n")[0] ?? "").split(" ");
  expect(Number(bytes)).toBeGreaterThan(300_000);
  const [image] = cell.outputs?.["outputs"] as Record<string, unknown>[];
  expect(image).toEqual({
    mimeType: "image/png",
    bytes: Number(bytes),
    sha256,
    text: "<IPython.core.display.Image object>",
  });
  expect(sha256).toMatch(/^[0-9a-f]{64}$/);
  const sentBytes = capture.requests.reduce((total, request) => total + request.bodyBytes, 0);
  expect(sentBytes).toBeLessThan(Number(bytes) / 4);
  expect(metadataOf(cell)).toMatchObject({ codeact_rich_outputs: 1 });
});
