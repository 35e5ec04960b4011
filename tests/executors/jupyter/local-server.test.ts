import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startLocalJupyter } from "../../../src/executors/jupyter/index.js";
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

  it("says how to install jupyter-server when the binary is missing", async () => {
    await expect(startLocalJupyter({ command: "/nonexistent/jupyter-server" })).rejects.toThrow(
      /not found.*install-system-deps\.sh/s
    );
  });
});
