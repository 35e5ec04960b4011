/**
 * Imports, functions, classes and their instances travel to another kernel
 * (another executor, as another worker would hold): exactly, with every
 * loss named, and with replay bounded in time.
 */
import { JupyterExecutor, startLocalJupyter, type LocalJupyter } from "../../../src/executors/jupyter/index.js";
import type { ExecuteResult } from "../../../src/executors/types.js";

jest.setTimeout(120_000);

let server: LocalJupyter;
let a: JupyterExecutor;
let b: JupyterExecutor;
beforeAll(async () => {
  server = await startLocalJupyter();
  a = new JupyterExecutor({ baseUrl: server.baseUrl, token: server.token });
  b = new JupyterExecutor({ baseUrl: server.baseUrl, token: server.token });
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await server?.stop();
});

/** Runs `code` on `executor` as the next step of a thread whose last step ended with `previous`. */
function step(executor: JupyterExecutor, sessionId: string, code: string, previous?: ExecuteResult): Promise<ExecuteResult> {
  return executor.execute({
    code,
    sessionId,
    ...(previous?.variables && { variables: previous.variables }),
    ...(previous?.definitions && { definitions: previous.definitions }),
  });
}

const SET_UP = `
import math
import json as j
from collections import OrderedDict as OD
from dataclasses import dataclass

def area(r):
    return math.pi * r * r

@dataclass
class Point:
    x: int
    y: int
    def norm(self):
        return math.hypot(self.x, self.y)

class Account:
    rate = 0.1
    def __init__(self, owner, balance):
        self.owner = owner
        self.balance = balance
    def deposit(self, n):
        self.balance += n
        return self

class Savings(Account):
    def interest(self):
        return self.balance * self.rate

mine = Savings("ann", 50)
book = {"all": [Account("bob", 1), Point(3, 4)]}
counter = (lambda: (lambda: 1))()
def tagged(): pass
tagged.extra = 1
class Patched:
    pass
Patched.added = 2
`;

it("brings back imports, functions, decorated and plain classes, and instances wherever they sit", async () => {
  const first = await step(a, "all", SET_UP);
  expect(first.error).toBeUndefined();
  expect(first.definitions?.code.map((definition) => definition.name)).toEqual([
    "math", "j", "OD", "dataclass", "area", "Point", "Account", "Savings",
  ]);
  expect([...(first.unsavedVariables ?? [])].sort()).toEqual(["Patched", "counter", "tagged"]);
  const second = await step(
    b,
    "all",
    'print(round(area(2), 2), mine.deposit(50).interest(), isinstance(mine, Savings), book["all"][0].deposit(1).balance, ' +
      'book["all"][1].norm(), j.dumps([1]), OD(a=1), "counter" in globals())',
    first
  );
  expect(second.error).toBeUndefined();
  expect(second.output).toBe("12.57 10.0 True 2 5.0 [1] OrderedDict([('a', 1)]) False\n");
  expect(second.sessionChange?.lost).toEqual([]);
  expect(second.sessionChange?.restored).toEqual(expect.arrayContaining(["area", "Point", "Savings", "mine", "book", "math"]));
});

it("keeps the latest definition and never brings back a deleted or rebound one", async () => {
  await step(a, "latest", "def f():\n    return 1\n\ndef g():\n    return 'g'\n\nimport os");
  const second = await step(a, "latest", "def f():\n    return 2\n\ndel g\nos = 'rebound'");
  expect(second.definitions?.code.map((definition) => definition.name)).toEqual(["f"]);
  const third = await step(b, "latest", "print(f(), 'g' in globals(), os)", second);
  expect(third.output).toBe("2 False rebound\n");
});

it("restores what it can when a definition fails, and says why", async () => {
  const first = await step(a, "fails", "mode = 'ok'\nclass Fragile:\n    if mode == 'broken':\n        raise RuntimeError('cannot start')\n\ndef fine():\n    return 'fine'");
  const broken = await step(b, "fails", "print('Fragile' in globals(), fine(), mode)", {
    ...first,
    variables: { ...first.variables, mode: "broken" },
  });
  expect(broken.output).toBe("False fine broken\n");
  expect(broken.sessionChange?.lost).toEqual(["Fragile"]);
  expect(broken.sessionChange?.notes?.join(" ")).toContain("Fragile: RuntimeError: cannot start");
});

it("stops a replay that spins after its time budget and keeps the rest of the session", async () => {
  const first = await step(a, "spins", "mode = 'ok'\ndef fine():\n    return 'fine'\n\nclass Spinner:\n    while mode == 'spin':\n        pass");
  const started = Date.now();
  const spun = await step(b, "spins", "print('Spinner' in globals(), fine(), mode)", {
    ...first,
    variables: { ...first.variables, mode: "spin" },
  });
  expect(Date.now() - started).toBeLessThan(40_000);
  expect(spun.output).toBe("False fine spin\n");
  expect(spun.sessionChange?.lost).toEqual(["Spinner"]);
  expect(spun.sessionChange?.notes?.join(" ")).toMatch(/Spinner: TimeoutError: replaying the saved definitions took over \d+ s/);
});

it("names what cannot travel after the kernel is replaced", async () => {
  const sessionId = "limits";
  await step(a, sessionId, "gen = (i for i in range(3))\ndef keep():\n    return 'kept'");
  const restarted = await a.execute({ code: "import os\nos._exit(1)", sessionId });
  const after = await a.execute({ code: "print(keep(), 'gen' in globals())", sessionId });
  const change = restarted.sessionChange ?? after.sessionChange;
  expect(after.output).toBe("kept False\n");
  expect(change?.lost).toContain("gen");
  expect(change?.notes?.join(" ")).toMatch(/closures, generators, open files/);
});
