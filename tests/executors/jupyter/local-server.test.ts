import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JupyterExecutor, startLocalJupyter, type LocalJupyter } from "../../../src/executors/jupyter/index.js";
import { processesMentioning } from "./helpers.js";

jest.setTimeout(60_000);

describe("startLocalJupyter", () => {
  it("starts a token-protected server on loopback with the TCP_NODELAY config, and stops it with its kernels", async () => {
    const server = await startLocalJupyter();
    const stateDir = server.stateDir;
    try {
      expect(server.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(readFileSync(join(stateDir, "jupyter_server_config.py"), "utf8")).toContain("set_nodelay(True)");
      const headers = { Authorization: `token ${server.token}` };
      const refused = await fetch(new URL("api/kernels", server.baseUrl));
      expect(refused.status).toBe(403);
      const created = await fetch(new URL("api/kernels", server.baseUrl), {
        method: "POST",
        headers: { ...headers, "Content-Type": "application/json" },
        body: JSON.stringify({ name: "python3" }),
      });
      expect(created.status).toBe(201);
      // The kernel runs Debian's Python, which has ipykernel.
      const kernelPids = processesMentioning(join(stateDir, "runtime"));
      expect(kernelPids.length).toBeGreaterThan(0);
      expect(readFileSync(`/proc/${kernelPids[0]}/cmdline`, "utf8")).toContain("/usr/bin/python3");
    } finally {
      await server.stop();
      await server.stop();
    }
    expect(processesMentioning(stateDir)).toEqual([]);
    expect(processesMentioning(`--ServerApp.token=${server.token}`)).toEqual([]);
    await expect(fetch(new URL("api", server.baseUrl))).rejects.toThrow();
  });

  it("writes no patch when tcpNoDelay is false", async () => {
    const server = await startLocalJupyter({ tcpNoDelay: false });
    try {
      expect(readFileSync(join(server.stateDir, "jupyter_server_config.py"), "utf8")).not.toContain("set_nodelay");
      const response = await fetch(new URL("api/status", server.baseUrl), {
        headers: { Authorization: `token ${server.token}` },
      });
      expect(response.status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  describe("kernel transport", () => {
    /** Runs a cell and returns the kernel's connection file, which says how the server reaches it. */
    async function connectionOfKernel(
      server: LocalJupyter
    ): Promise<{ transport: string; ip: string; shell_port: number; runtimeFiles: string[] }> {
      const executor = new JupyterExecutor({ baseUrl: server.baseUrl, token: server.token });
      try {
        const result = await executor.execute({ sessionId: "transport", code: "print(6 * 7)" });
        expect(result.output).toContain("42");
        const runtime = join(server.stateDir, "runtime");
        const file = readdirSync(runtime).find((name) => /^kernel-.*\.json$/.test(name));
        expect(file).toBeDefined();
        const connection = JSON.parse(readFileSync(join(runtime, file ?? ""), "utf8")) as {
          transport: string;
          ip: string;
          shell_port: number;
        };
        return { ...connection, runtimeFiles: readdirSync(runtime) };
      } finally {
        await executor.close();
      }
    }

    it("talks to kernels over Unix sockets in its own state directory by default: no ports to lose to another process", async () => {
      const server = await startLocalJupyter();
      try {
        expect(server.kernelTransport).toBe("ipc");
        const connection = await connectionOfKernel(server);
        expect(connection.transport).toBe("ipc");
        expect(connection.ip.startsWith(join(server.stateDir, "runtime"))).toBe(true);
        expect(connection.runtimeFiles.some((name) => /-ipc-\d+$/.test(name))).toBe(true);
      } finally {
        await server.stop();
      }
    });

    it("uses loopback TCP when asked", async () => {
      const server = await startLocalJupyter({ kernelTransport: "tcp" });
      try {
        expect(server.kernelTransport).toBe("tcp");
        const connection = await connectionOfKernel(server);
        expect(connection.transport).toBe("tcp");
        expect(connection.ip).toBe("127.0.0.1");
        expect(connection.shell_port).toBeGreaterThan(0);
      } finally {
        await server.stop();
      }
    });

    describe("with a state directory too deep for a Unix socket path", () => {
      // os.tmpdir() reads the real environment, so the server starts in a child process with a deep TMPDIR.
      let deep: string;
      beforeAll(() => {
        deep = join(tmpdir(), `codeact-deep-${"d".repeat(70)}`);
        mkdirSync(deep, { recursive: true });
      });
      afterAll(() => rmSync(deep, { recursive: true, force: true }));

      const startIn = (directory: string, kernelTransport: string): Record<string, string> => {
        const child = spawnSync(
          process.execPath,
          ["--no-node-snapshot", "--import", "tsx", join(__dirname, "fixtures", "transport-of-new-server.ts"), kernelTransport],
          { env: { ...process.env, TMPDIR: directory }, encoding: "utf8", timeout: 50_000 }
        );
        expect(child.stderr).toBe("");
        return JSON.parse(child.stdout) as Record<string, string>;
      };

      it('"auto" falls back to TCP', () => {
        const seen = startIn(deep, "auto");
        expect(seen.stateDir?.startsWith(deep)).toBe(true);
        expect(seen).toMatchObject({ chosen: "tcp", used: "tcp" });
        expect(seen.output).toContain("42");
      });

      it('"ipc" is refused before anything starts, saying why and what to change, and leaves no state directory', () => {
        const seen = startIn(deep, "ipc");
        expect(seen.error).toMatch(/Kernel sockets under .* would be \d+ bytes long, over the \d+ a Unix socket path allows/);
        expect(seen.error).toMatch(/TMPDIR/);
        expect(readdirSync(deep).filter((name) => name.startsWith("codeact-jupyter-"))).toEqual([]);
      });

      it("counts bytes, not characters: a path of multi-byte characters that fits in characters is still too long", () => {
        // Ten three-byte characters: the state directory's path (this directory plus 31 characters) is
        // 46 characters, under the 56 that leave room for a socket's name, but 66 bytes.
        const wide = `/tmp/${"日".repeat(10)}`;
        mkdirSync(wide, { recursive: true });
        try {
          expect(startIn(wide, "ipc").error).toMatch(/bytes long/);
        } finally {
          rmSync(wide, { recursive: true, force: true });
        }
      });
    });

    it("refuses TCP for a sandboxed server before starting anything", async () => {
      await expect(startLocalJupyter({ sandbox: true, kernelTransport: "tcp" })).rejects.toThrow(/no network.*sandbox/);
    });
  });

  it("says how to install jupyter-server when the binary is missing", async () => {
    await expect(startLocalJupyter({ command: "/nonexistent/jupyter-server" })).rejects.toThrow(
      /not found.*install-system-deps\.sh/s
    );
  });
});
