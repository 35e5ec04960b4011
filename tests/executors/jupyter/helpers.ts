import { readdirSync, readFileSync } from "node:fs";
import { createServer, connect, type Socket } from "node:net";
import { JupyterExecutor, type JupyterExecutorOptions, type LocalJupyter } from "../../../src/executors/jupyter/index.js";
import type { ExecuteResult } from "../../../src/executors/types.js";

/** The kernel id in a result's resume token. */
export function kernelIdOf(result: ExecuteResult): string {
  return (JSON.parse(result.resumeToken ?? "{}") as { kernelId: string }).kernelId;
}

/**
 * Executors on a file's test server (asked for when one is created), each
 * kept so that `closeAll()` closes every one a test left open.
 */
export function executorsOn(server: () => LocalJupyter): {
  create: (options?: Partial<JupyterExecutorOptions>) => JupyterExecutor;
  closeAll: () => Promise<void>;
} {
  const open: JupyterExecutor[] = [];
  return {
    create: (options = {}) => {
      const executor = new JupyterExecutor({ baseUrl: server().baseUrl, token: server().token, ...options });
      open.push(executor);
      return executor;
    },
    closeAll: async () => {
      await Promise.all(open.splice(0).map((executor) => executor.close()));
    },
  };
}

/** Pids of live processes whose command line contains `text`. */
export function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (commandLine.includes(text)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

export async function listKernelIds(baseUrl: string, token: string): Promise<string[]> {
  // The server can answer a listing with an error while a kernel is half shut down: ask again, briefly.
  for (let attempt = 1; ; attempt += 1) {
    const response = await fetch(new URL("api/kernels", baseUrl), {
      headers: { Authorization: `token ${token}` },
    });
    const body = (await response.json()) as unknown;
    if (response.ok && Array.isArray(body)) return (body as { id: string }[]).map((kernel) => kernel.id);
    if (attempt >= 20) throw new Error(`listing kernels failed: HTTP ${response.status} ${JSON.stringify(body).slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Deletes a kernel through the server's REST API, as a user or the idle culler would; returns the HTTP status. */
export async function deleteKernel(baseUrl: string, token: string, kernelId: string): Promise<number> {
  const response = await fetch(new URL(`api/kernels/${kernelId}`, baseUrl), {
    method: "DELETE",
    headers: { Authorization: `token ${token}` },
  });
  await response.body?.cancel();
  return response.status;
}

/** A loopback TCP proxy whose connections a test can cut. */
export interface TcpProxy {
  port: number;
  /** Destroys every open connection (both sides see a reset). */
  dropAll(): number;
  close(): Promise<void>;
}

export function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => undefined);
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolve({
        port,
        dropAll: () => {
          const count = sockets.size;
          for (const socket of sockets) socket.destroy();
          return count;
        },
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
