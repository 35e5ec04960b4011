import { JupyterExecutor, startLocalJupyter, type LocalJupyter } from "../../src/executors/jupyter/index.js";
import type { ExecuteResult, HostFunction } from "../../src/executors/types.js";
import { listKernelIds } from "../executors/jupyter/helpers.js";
import { isAlive } from "../support/processes.js";

// Issue 15 in Python: nothing a cell starts writes into a later cell unnoticed,
// a wedged kernel is never silently emptied, every part of a result is capped,
// tools work from threads, and hostile restored names never break a session.
jest.setTimeout(120_000);

let server: LocalJupyter;
let executor: JupyterExecutor;
let counter = 0;
const session = (): string => `containment-${++counter}`;

const echo: HostFunction = Object.assign(async (input: unknown) => input, { parameters: ["value"] });
const slowEcho: HostFunction = Object.assign(
  async (input: unknown) => {
    await new Promise((done) => setTimeout(done, 20 + Math.random() * 30));
    return input;
  },
  { parameters: ["value"] }
);


beforeAll(async () => {
  server = await startLocalJupyter();
  executor = new JupyterExecutor({ baseUrl: server.baseUrl, token: server.token, timeoutMs: 8_000, interruptGraceMs: 1_000 });
});

afterAll(async () => {
  await executor.close();
  expect(await listKernelIds(server.baseUrl, server.token)).toEqual([]);
  await server.stop();
});

describe("15.2 nothing of a cell writes into a later cell unnoticed", () => {
  it.each([
    ["a plain thread", "import threading, time\ndef late():\n    time.sleep(0.5)\n    print('LATE-OUTPUT', flush=True)\nthreading.Thread(target=late, daemon=True).start()"],
    ["a thread from a thread", "import threading, time\ndef late():\n    time.sleep(0.5)\n    print('LATE-OUTPUT', flush=True)\nthreading.Thread(target=lambda: threading.Thread(target=late).start()).start()"],
    ["a pool worker", "import concurrent.futures, time\npool = concurrent.futures.ThreadPoolExecutor(1)\ndef late():\n    time.sleep(0.5)\n    print('LATE-OUTPUT', flush=True)\npool.submit(late)"],
    ["a timer", "import threading\nthreading.Timer(0.5, lambda: print('LATE-OUTPUT', flush=True)).start()"],
  ])("drops and reports late output of %s", async (_case, code) => {
    const id = session();
    const first = await executor.execute({ sessionId: id, code });
    expect(first.output).toMatch(/thread\(s\) started by this or earlier cells still running/);
    const second = await executor.execute({ sessionId: id, code: "import time\ntime.sleep(1.0)\nprint('innocent')" });
    expect(second.output).not.toContain("LATE-OUTPUT");
    expect(second.output).toContain("innocent");
    expect(second.output).toMatch(/characters printed by threads of earlier cells were dropped/);
  });

  it("a thread of an earlier cell cannot call a tool in a later cell", async () => {
    const id = session();
    const calls: unknown[] = [];
    const spy: HostFunction = Object.assign(async (input: unknown) => calls.push(input), { parameters: ["value"] });
    await executor.execute({
      sessionId: id,
      tools: { spy },
      code: "import threading, time\nerrors = []\ndef late():\n    time.sleep(0.4)\n    try:\n        spy('late')\n    except Exception as error:\n        errors.append(type(error).__name__)\nthreading.Thread(target=late).start()",
    });
    const second = await executor.execute({ sessionId: id, tools: { spy }, code: "import time\ntime.sleep(0.8)\nspy('now')\nerrors" });
    expect(calls).toEqual([{ value: "now" }]);
    expect(second.value).toBe("['ToolError']");
  });

  it("names a subprocess still running in every later cell, and close() kills it", async () => {
    const own = new JupyterExecutor({ baseUrl: server.baseUrl, token: server.token });
    const id = session();
    const first = await own.execute({
      sessionId: id,
      code: "import subprocess\nchild = subprocess.Popen(['sleep', '300'])\nnested = subprocess.Popen(['sh', '-c', 'sleep 301 & wait'])\n[child.pid, nested.pid]",
    });
    const pids = JSON.parse(first.value ?? "[]") as number[];
    expect(pids).toHaveLength(2);
    expect(first.output).toMatch(/child process\(es\) still running/);
    const second = await own.execute({ sessionId: id, code: "1" });
    expect(second.output).toMatch(/child process\(es\) still running \(pid /);
    for (const pid of pids) expect(second.output).toContain(String(pid));
    await own.close();
    const deadline = Date.now() + 5_000;
    while (pids.some(isAlive) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 100));
    expect(pids.filter(isAlive)).toEqual([]);
  });
});

describe("15.3 a wedged kernel is never silently emptied", () => {
  it.each([
    ["sys.stdout = None", "import sys\nsys.stdout = None\nkept2 = echo(value=2)"],
    ["sys.stderr = None", "import sys\nsys.stderr = None\nkept2 = echo(value=2)"],
    ["both streams replaced by objects without flush", "import sys\nclass Sink:\n    def write(self, text):\n        return len(text)\nsys.stdout = sys.stderr = Sink()\nkept2 = echo(value=2)"],
  ])("%s then a tool call keeps the variables", async (_case, code) => {
    const id = session();
    const first = await executor.execute({ sessionId: id, tools: { echo }, code: "kept = [1, 2, 3]" });
    const wedged = await executor.execute({ sessionId: id, tools: { echo }, code, variables: first.variables ?? {} });
    expect(wedged.error).toBeUndefined();
    const next = await executor.execute({ sessionId: id, tools: { echo }, code: "import sys\nsys.stdout = sys.__stdout__\n(kept, kept2)", variables: wedged.variables ?? first.variables ?? {} });
    expect(next.error).toBeUndefined();
    expect(next.value).toBe("([1, 2, 3], {'value': 2})");
  });

  it("a cell whose snapshot cannot be read leaves variables out of the result and says so", async () => {
    const id = session();
    const first = await executor.execute({ sessionId: id, code: "kept = 1" });
    expect(first.variables).toEqual({ kept: 1 });
    // Model code breaks the executor's module: no snapshot can be taken.
    const broken = await executor.execute({ sessionId: id, code: "import sys\nsys.modules['_codeact'].snapshot = None\nother = 2" });
    expect(broken.variables).toBeUndefined();
    expect(broken.sessionChange?.notes?.join(" ")).toMatch(/could not be saved/);
  });
});

describe("15.4 every part of a result is capped", () => {
  it.each([
    ["a 30 MB error message", "raise ValueError('m' * 30_000_000)"],
    ["a 30 MB exception class name", "raise type('E' * 30_000_000, (Exception,), {})()"],
    ["a traceback of 100 000 frames worth of text", "def f(n):\n    if n == 0:\n        raise RuntimeError('x' * 100_000)\n    return f(n - 1)\nf(2_000)"],
  ])("%s", async (_case, code) => {
    const result = await executor.execute({ sessionId: session(), code });
    expect(result.error).toBeDefined();
    const size = (result.error?.name.length ?? 0) + (result.error?.message.length ?? 0) + (result.error?.traceback?.length ?? 0);
    expect(size).toBeLessThanOrEqual(3 * 20_000 + 200);
  });

  it("caps rich outputs by count and total size", async () => {
    const result = await executor.execute({
      sessionId: session(),
      code: "from IPython.display import HTML, display\nfor i in range(120):\n    display(HTML('<p>' + 'x' * 500_000 + '</p>'))",
    });
    expect(result.outputs.length).toBeLessThanOrEqual(50);
    expect(result.outputs.reduce((total, output) => total + output.data.length + (output.text?.length ?? 0), 0)).toBeLessThanOrEqual(20 * 1024 * 1024);
    expect(result.output).toMatch(/rich output\(s\) dropped/);
  });

  it.each([
    ["a dict subclass", "class Slow(dict):\n    def __eq__(self, other):\n        time.sleep(30)\n        return True\n    __hash__ = None\nvalue = Slow(a=1)"],
    ["a list subclass inside a list", "class Slow(list):\n    def __eq__(self, other):\n        time.sleep(30)\n        return True\nvalue = [Slow([1])]"],
    ["a str subclass", "class Slow(str):\n    def __eq__(self, other):\n        time.sleep(30)\n        return True\n    __hash__ = str.__hash__\nvalue = Slow('x')"],
    ["a float subclass", "class Slow(float):\n    def __eq__(self, other):\n        time.sleep(30)\n        return True\n    __hash__ = float.__hash__\nvalue = {'k': Slow(1.5)}"],
  ])("a variable with a sleeping __eq__ (%s) does not stretch the cell", async (_case, code) => {
    const started = Date.now();
    const result = await executor.execute({ sessionId: session(), code: `import time\n${code}\nplain = 1` });
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(result.error).toBeUndefined();
    expect(result.variables).toEqual({ plain: 1 });
    expect(result.unsavedVariables).toContain("value");
  });

  it("caps the names in a restore notice", async () => {
    const variables: Record<string, number> = {};
    for (let index = 0; index < 5_000; index += 1) variables[`v${index}_${"n".repeat(200)}`] = index;
    const result = await executor.execute({ sessionId: session(), code: "1", variables });
    expect(result.sessionChange?.restored.length).toBeLessThanOrEqual(1_000);
    expect(result.sessionChange?.restored.every((name) => name.length <= 101)).toBe(true);
  });
});

describe("15.5 tools from several threads", () => {
  it("each thread gets its own result", async () => {
    const result = await executor.execute({
      sessionId: session(),
      tools: { slowEcho },
      code: [
        "import threading",
        "results = {}",
        "def work(n):",
        "    for k in range(5):",
        "        results[(n, k)] = slowEcho(value=[n, k])['value']",
        "threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]",
        "for t in threads: t.start()",
        "for t in threads: t.join()",
        "all(results[(n, k)] == [n, k] for n in range(6) for k in range(5)) and len(results) == 30",
      ].join("\n"),
    });
    expect(result.error).toBeUndefined();
    expect(result.value).toBe("True");
  });

  it("a ThreadPoolExecutor map gets results in order", async () => {
    const result = await executor.execute({
      sessionId: session(),
      tools: { slowEcho },
      code: "from concurrent.futures import ThreadPoolExecutor\nwith ThreadPoolExecutor(4) as pool:\n    out = list(pool.map(lambda n: slowEcho(value=n)['value'], range(12)))\nout",
    });
    expect(result.error).toBeUndefined();
    expect(result.value).toBe(JSON.stringify([...Array(12).keys()]).replace(/,/g, ", "));
  });

  it("asyncio.to_thread around a tool works and keeps the kernel", async () => {
    const id = session();
    const result = await executor.execute({
      sessionId: id,
      tools: { echo },
      code: "import asyncio\nbefore = 1\nvalues = await asyncio.gather(*(asyncio.to_thread(echo, value=n) for n in range(5)))\n[v['value'] for v in values]",
    });
    expect(result.error).toBeUndefined();
    expect(result.value).toBe("[0, 1, 2, 3, 4]");
    expect(result.sessionChange).toBeUndefined();
    const next = await executor.execute({ sessionId: id, tools: { echo }, code: "before + 1" });
    expect(next.value).toBe("2");
  });
});

describe("15.6 hostile restored names", () => {
  it.each([
    ["__builtins__", 1],
    ["__proto__", { polluted: true }],
    ["__name__", "x"],
    ["_private", 1],
    ["constructor", 2],
    ["not an identifier", 3],
    ["1leading_digit", 4],
    ["get_ipython", 5],
  ])("%s is not restored (or restored harmlessly) and the session works", async (name, value) => {
    const variables = JSON.parse(`{"ok": 1, ${JSON.stringify(name)}: ${JSON.stringify(value)}}`) as Record<string, never>;
    const result: ExecuteResult = await executor.execute({ sessionId: session(), code: "print(ok + 1)\n'x'.upper()", variables });
    expect(result.error).toBeUndefined();
    expect(result.output).toContain("2");
    expect(result.value).toBe("'X'");
    expect(result.sessionChange?.restored).toContain("ok");
    const restored = result.sessionChange?.restored ?? [];
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) {
      expect(restored).not.toContain(name);
      expect(result.sessionChange?.lost).toContain(name);
      expect(result.sessionChange?.notes?.join(" ")).toMatch(/not plain Python variable names/);
    }
  });

  it("a value nested deeper than Python's parser allows is reported lost, the rest restored", async () => {
    let deep: unknown = 1;
    for (let index = 0; index < 5_000; index += 1) deep = [deep];
    const result = await executor.execute({ sessionId: session(), code: "ok", variables: { ok: 1, deep } as never });
    expect(result.error).toBeUndefined();
    expect(result.value).toBe("1");
    expect(result.sessionChange?.lost).toContain("deep");
  });
});
