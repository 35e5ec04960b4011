/**
 * The Python sandbox (bubblewrap around each kernel of a local Jupyter
 * server): every way out we know of is tried by real model-style code on
 * real kernels. Each is contained with a clear error in the cell, the next
 * cell works, and no process is left behind on the host.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { SandboxUnavailableError } from "../../src/executors/errors.js";
import { JupyterExecutor, startLocalJupyter, type LocalJupyter } from "../../src/executors/jupyter/index.js";
import type { ExecuteResult } from "../../src/executors/types.js";
import { processesMentioning } from "../executors/jupyter/helpers.js";

jest.setTimeout(120_000);

const SECRET = "sk-this-must-not-reach-the-kernel";
let jupyter: LocalJupyter;
let executor: JupyterExecutor;
let listener: Server;
let listenerPort: number;
let session = 0;

beforeAll(async () => {
  process.env["CODEACT_TEST_SECRET"] = SECRET;
  jupyter = await startLocalJupyter({
    sandbox: { memoryLimitMb: 1024, scratchSizeMb: 16, maxFileSizeMb: 8, maxProcesses: 64 },
  });
  executor = new JupyterExecutor({ baseUrl: jupyter.baseUrl, token: jupyter.token, timeoutMs: 20_000, interruptGraceMs: 2_000 });
  // A server on the host's loopback and on every address: the kernel must reach none of them.
  listener = createServer((socket) => socket.end("hello from the host\n"));
  await new Promise<void>((resolve) => listener.listen(0, "0.0.0.0", resolve));
  listenerPort = (listener.address() as { port: number }).port;
}, 90_000);

afterAll(async () => {
  delete process.env["CODEACT_TEST_SECRET"];
  listener?.close();
  await executor?.close();
  await jupyter?.stop();
}, 60_000);

/** Runs `code` in a new session, then a plain cell in the same session, which must work. */
async function contained(code: string): Promise<ExecuteResult> {
  const sessionId = `sandbox-${(session += 1)}`;
  const result = await executor.execute({ sessionId, code });
  const next = await executor.execute({ sessionId, code: "print('next cell', 6 * 7)" });
  expect(next.error).toBeUndefined();
  expect(next.output).toContain("next cell 42");
  return result;
}

const text = (result: ExecuteResult) => `${result.output}\n${result.error?.name ?? ""}: ${result.error?.message ?? ""}`;

describe("the Python sandbox", () => {
  it("reads nothing of the host outside what it is given: no home, no secrets, no other kernel's files", async () => {
    const result = await contained(
      [
        "import os",
        "for path in ['/root', '/home', '/etc/shadow', '/etc/ssh', '/var', " + JSON.stringify(jupyter.stateDir) + "]:",
        "    print(path, os.path.exists(path))",
        "print('cwd', os.getcwd(), 'home', os.path.expanduser('~'))",
        "print('readable usr', os.path.exists('/usr/bin/python3'))",
        "open('/etc/shadow')",
      ].join("\n")
    );
    for (const path of ["/root", "/home", "/etc/shadow", "/etc/ssh", "/var", jupyter.stateDir]) {
      expect(result.output).toContain(`${path} False`);
    }
    expect(result.output).toContain("cwd /scratch home /scratch");
    expect(result.output).toContain("readable usr True");
    expect(result.error?.name).toBe("FileNotFoundError");
  });

  it("writes only to its scratch directory and /tmp", async () => {
    const result = await contained(
      [
        "import os",
        "open('/scratch/ok.txt', 'w').write('fine')",
        "open('/tmp/ok.txt', 'w').write('fine')",
        "print('scratch', open('/scratch/ok.txt').read())",
        "for path in ['/usr/evil', '/etc/evil', '/evil', '/proc/evil', '/run/codeact/evil']:",
        "    try:",
        "        open(path, 'w').write('x' * (4 * 1024 * 1024))",
        "        print(path, 'WRITTEN')",
        "    except OSError as error:",
        "        print(path, 'refused', error.errno)",
      ].join("\n")
    );
    expect(result.error).toBeUndefined();
    expect(result.output).toContain("scratch fine");
    expect(result.output).not.toContain("WRITTEN");
    // The kernel's own socket directory takes a few KB at most (it is a small tmpfs, not the host's disk).
    expect(result.output.match(/refused/g)).toHaveLength(5);
  });

  it("has no network: neither the host's loopback nor its other addresses", async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((address) => address !== undefined && address.family === "IPv4" && !address.internal)?.address;
    const targets = [["127.0.0.1", listenerPort], ["127.0.0.1", Number(new URL(jupyter.baseUrl).port)], ...(external ? [[external, listenerPort]] : [])];
    const result = await contained(
      [
        "import socket",
        `for host, port in ${JSON.stringify(targets)}:`,
        "    try:",
        "        socket.create_connection((host, port), timeout=3).recv(100)",
        "        print(host, port, 'CONNECTED')",
        "    except OSError as error:",
        "        print(host, port, 'refused:', type(error).__name__)",
        "socket.getaddrinfo('example.com', 80)",
      ].join("\n")
    );
    expect(result.output).not.toContain("CONNECTED");
    expect(result.output.match(/refused:/g)).toHaveLength(targets.length);
    expect(result.error?.name).toBe("gaierror");
  });

  it("sees none of the host's environment variables (API keys stay out)", async () => {
    const result = await contained(
      "import os\nprint(sorted(os.environ))\nprint('secret' , any('" + SECRET + "' in open('/proc/%s/environ' % p, 'rb').read().decode('latin1') for p in os.listdir('/proc') if p.isdigit()))"
    );
    expect(result.error).toBeUndefined();
    expect(result.output).not.toContain("CODEACT_TEST_SECRET");
    expect(result.output).not.toContain("OPENAI");
    expect(result.output).toContain("secret False");
  });

  it("a fork bomb hits the process limit; the processes it left are stopped with the cell", async () => {
    const result = await contained(
      [
        "import os, time",
        "children = 0",
        "try:",
        "    while True:",
        "        if os.fork() == 0:",
        "            while True:",
        "                try:",
        "                    os.fork()",
        "                except OSError:",
        "                    time.sleep(0.01)",
        "        children += 1",
        "except OSError as error:",
        "    print('fork refused after', children > 0, error.errno)",
      ].join("\n")
    );
    expect(result.output).toContain("fork refused after True 11");
    expect(result.output).toMatch(/the sandbox stopped \d+ process\(es\) this cell left running/);
  });

  it("a memory bomb gets a MemoryError, at once or little by little", async () => {
    const atOnce = await contained("x = bytearray(4 * 1024 ** 3)");
    expect(atOnce.error?.name).toBe("MemoryError");
    const gradual = await contained("chunks = []\nwhile True:\n    chunks.append(bytearray(64 * 1024 ** 2))");
    expect(gradual.error?.name).toBe("MemoryError");
  });

  it("filling the scratch directory or writing a huge file fails with an OSError", async () => {
    const full = await contained(
      "import os\nblock = b'x' * 1024 * 1024\nfor i in range(100):\n    with open('/scratch/fill-%d' % i, 'wb') as f:\n        f.write(block * 4)"
    );
    expect(full.error?.name).toBe("OSError");
    expect(text(full)).toMatch(/No space left on device/);
    const huge = await contained("with open('/tmp/big', 'wb') as f:\n    f.write(b'x' * (12 * 1024 * 1024))");
    expect(huge.error?.name).toBe("OSError");
    expect(text(huge)).toMatch(/File too large/);
  });

  it("a daemon (setsid, double fork) does not outlive its cell", async () => {
    const marker = "777.25";
    const result = await contained(
      [
        "import os",
        "if os.fork() == 0:",
        "    os.setsid()",
        "    if os.fork() == 0:",
        `        os.execvp('sleep', ['sleep', '${marker}'])`,
        "    os._exit(0)",
        "import time; time.sleep(0.3)",
        "print('started')",
      ].join("\n")
    );
    expect(result.output).toContain("started");
    expect(result.output).toMatch(/the sandbox stopped 1 process\(es\)/);
    expect(processesMentioning(marker)).toEqual([]);
  });

  it("shows the host paths it is given, read-only, and nothing else of their parents", async () => {
    const data = mkdtempSync(join(tmpdir(), "sandbox-data-"));
    writeFileSync(join(data, "rows.csv"), "a,b\n1,2\n");
    chmodSync(data, 0o755);
    const own = await startLocalJupyter({ sandbox: { readOnlyPaths: [data] } });
    const ownExecutor = new JupyterExecutor({ baseUrl: own.baseUrl, token: own.token });
    try {
      const result = await ownExecutor.execute({
        sessionId: "data",
        code: `import pandas, os\nprint(pandas.read_csv(${JSON.stringify(join(data, "rows.csv"))}).sum().tolist())\nprint(sorted(os.listdir('/tmp')))\nopen(${JSON.stringify(join(data, "new.txt"))}, 'w')`,
      });
      expect(result.output).toContain("[1, 2]");
      expect(result.output).not.toContain("codeact-jupyter");
      expect(result.error?.name).toBe("OSError");
      expect(result.error?.message).toMatch(/Read-only file system/);
    } finally {
      await ownExecutor.close();
      await own.stop();
      rmSync(data, { recursive: true, force: true });
    }
  });

  it("host tools, rich outputs and a restart with the variables restored work as without the sandbox", async () => {
    const sessionId = "sandbox-tools";
    const tools = { lookup: Object.assign(async (input: unknown) => ({ found: input }), { parameters: ["id"] }) };
    const first = await executor.execute({
      sessionId,
      tools,
      code: "import matplotlib.pyplot as plt\nrow = lookup(id=7)\nplt.plot([1, 2, 3]); plt.show()\nkept = row['found']['id']\nprint('row', row)",
    });
    expect(first.error).toBeUndefined();
    expect(first.output).toContain("row {'found': {'id': 7}}");
    expect(first.outputs.map((output) => output.mimeType)).toContain("image/png");
    const crashed = await executor.execute({ sessionId, code: "import os\nos.kill(os.getpid(), 9)" });
    expect(crashed.error?.name).toBe("SessionCrashedError");
    const after = await executor.execute({ sessionId, code: "print('kept', kept)" });
    expect(after.output).toContain("kept 7");
  });

  it("a kernel past its CPU time is stopped and replaced, with its variables restored", async () => {
    const own = await startLocalJupyter({ sandbox: { cpuTimeLimitSeconds: 2 } });
    const ownExecutor = new JupyterExecutor({ baseUrl: own.baseUrl, token: own.token, timeoutMs: 30_000 });
    try {
      await ownExecutor.execute({ sessionId: "cpu", code: "kept = 41" });
      const spun = await ownExecutor.execute({ sessionId: "cpu", code: "while True:\n    pass" });
      expect(spun.error?.name).toBe("SessionCrashedError");
      const after = await ownExecutor.execute({ sessionId: "cpu", code: "print(kept + 1)" });
      expect(after.output).toContain("42");
    } finally {
      await ownExecutor.close();
      await own.stop();
    }
  });

  it("works for a server that is not root (the limit counts the user's other processes; sockets through /proc)", async () => {
    const fixture = join(__dirname, "fixtures/sandbox-as-user.ts");
    const node = [process.execPath, "--no-node-snapshot", "--import", "tsx", fixture];
    // Root drops to nobody for this; anyone else runs it as themselves.
    const command = process.getuid?.() === 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ...node] : node;
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(command[0]!, command.slice(1), { env: { ...process.env, NODE_OPTIONS: "--no-node-snapshot", HOME: tmpdir() }, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-4_000)));
      child.once("exit", (code) => (code === 0 ? resolve(stdout.trim().split("\n").at(-1) ?? "") : reject(new Error(`fixture exited ${code}: ${stderr}`))));
    });
    const seen = JSON.parse(output) as Record<string, string>;
    expect(seen["uid"]).not.toBe("0");
    expect(seen["who"]).toMatch(/pid 2 cwd \/scratch/);
    expect(seen["fork"]).toMatch(/refused after \d+ 11/);
    expect(seen["next"]).toContain("next 42");
    expect(seen["net"]).toContain("refused");
  });

  it("kernels die with their server: nothing is left when the server is killed", async () => {
    const own = await startLocalJupyter({ sandbox: true });
    const ownExecutor = new JupyterExecutor({ baseUrl: own.baseUrl, token: own.token });
    try {
      const result = await ownExecutor.execute({ sessionId: "orphan", code: "import os\nprint('pid in sandbox', os.getpid())" });
      expect(result.output).toContain("pid in sandbox 2");
      const kernels = processesMentioning(own.stateDir).filter((pid) => pid !== own.pid);
      expect(kernels.length).toBeGreaterThan(0);
      process.kill(own.pid, "SIGKILL");
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && processesMentioning(own.stateDir).length > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(processesMentioning(own.stateDir)).toEqual([]);
    } finally {
      await ownExecutor.close().catch(() => undefined);
      await own.stop();
    }
  });

  it("refuses to start, saying why and how to opt out, when bubblewrap is missing or cannot make namespaces", async () => {
    await expect(startLocalJupyter({ sandbox: { bwrapPath: "/nonexistent/bwrap" } })).rejects.toThrow(
      /needs bubblewrap, which is not installed.*sandbox: false/
    );
    const directory = mkdtempSync(join(tmpdir(), "fake-bwrap-"));
    try {
      // What bubblewrap prints where user namespaces are off.
      const fake = join(directory, "bwrap");
      writeFileSync(fake, "#!/bin/sh\necho 'bwrap: No permissions to creating new namespace, likely because the kernel does not allow non-privileged user namespaces.' >&2\nexit 1\n");
      chmodSync(fake, 0o755);
      chmodSync(directory, 0o755);
      const attempt = startLocalJupyter({ sandbox: { bwrapPath: fake } });
      await expect(attempt).rejects.toBeInstanceOf(SandboxUnavailableError);
      await expect(attempt).rejects.toMatchObject({ code: "SANDBOX_UNAVAILABLE" });
      await expect(attempt).rejects.toThrow(/No permissions to creating new namespace.*user namespaces.*--no-sandbox/s);
      // A kernel Python the sandbox cannot see, or one that cannot start ipykernel: said at server start, not as a hung cell.
      await expect(startLocalJupyter({ sandbox: { python: "/opt/nowhere/python3" } })).rejects.toThrow(
        /could not start a kernel's Python \(\/opt\/nowhere\/python3\).*readOnlyPaths/s
      );
      const broken = join(directory, "python3");
      writeFileSync(broken, "#!/bin/sh\necho 'ModuleNotFoundError: No module named ipykernel_launcher' >&2\nexit 1\n");
      chmodSync(broken, 0o755);
      await expect(startLocalJupyter({ sandbox: { python: broken, readOnlyPaths: [directory] } })).rejects.toThrow(
        /No module named ipykernel_launcher/
      );
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
