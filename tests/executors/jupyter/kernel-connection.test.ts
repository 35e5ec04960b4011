import { once } from "node:events";
import type { AddressInfo } from "node:net";
import WebSocket, { WebSocketServer } from "ws";
import { CellOutput } from "../../../src/executors/jupyter/cell-output.js";
import { KernelConnection } from "../../../src/executors/jupyter/kernel-connection.js";
import { ConnectionLostError, KernelDiedError, type KernelMessage } from "../../../src/executors/jupyter/kernel-protocol.js";

/**
 * A kernel's channels endpoint played by the test: it records what arrives
 * and answers (or drops the socket) as each test says.
 */
class FakeKernel {
  readonly server: WebSocketServer;
  readonly received: KernelMessage[] = [];
  sockets: WebSocket[] = [];
  onRequest: (message: KernelMessage, socket: WebSocket) => void = () => undefined;

  constructor() {
    this.server = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    this.server.on("connection", (socket) => {
      this.sockets.push(socket);
      socket.on("message", (data) => {
        const message = JSON.parse(data.toString()) as KernelMessage;
        this.received.push(message);
        this.onRequest(message, socket);
      });
    });
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  /** What a kernel sends for a finished execute_request: the reply and `idle`. */
  static finish(socket: WebSocket, request: KernelMessage, content: Record<string, unknown> = { status: "ok" }): void {
    const reply = (channel: string, msgType: string, body: Record<string, unknown>) =>
      socket.send(
        JSON.stringify({ channel, header: { msg_id: `${msgType}-${Math.random()}`, msg_type: msgType }, parent_header: request.header, metadata: {}, content: body })
      );
    reply("iopub", "stream", { name: "stdout", text: "hi\n" });
    reply("shell", "execute_reply", content);
    reply("iopub", "status", { execution_state: "idle" });
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function connectionTo(kernel: FakeKernel): { connection: KernelConnection; opened: () => number } {
  let opens = 0;
  const connection = new KernelConnection(
    {
      openSocket: async () => {
        opens += 1;
        const socket = new WebSocket(kernel.url);
        await once(socket, "open");
        return socket;
      },
    },
    "kernel-1",
    "session-1"
  );
  return { connection, opened: () => opens };
}

describe("KernelConnection", () => {
  let kernel: FakeKernel;
  beforeEach(async () => {
    kernel = new FakeKernel();
    await once(kernel.server, "listening");
  });
  afterEach(async () => {
    await kernel.close();
  });

  it("resolves a request only once both its reply and idle arrived, routing iopub to it", async () => {
    const { connection } = connectionTo(kernel);
    await connection.connect();
    const streamed: string[] = [];
    kernel.onRequest = (request, socket) => FakeKernel.finish(socket, request, { status: "ok", execution_count: 1 });
    const pending = connection.execute("1+1", { onIopub: (message) => streamed.push(message.header.msg_type) });
    await expect(pending.done).resolves.toEqual({ status: "ok", execution_count: 1 });
    expect(streamed).toEqual(["stream"]);
    expect(kernel.received[0]?.header.session).toBe("session-1");
    connection.close();
  });

  it("reconnects when the socket drops mid-request and takes the reply on the new socket", async () => {
    const { connection, opened } = connectionTo(kernel);
    await connection.connect();
    let seen = 0;
    kernel.onRequest = (request, socket) => {
      seen += 1;
      // The kernel has the request (it acknowledges with a status), then the socket drops;
      // the server answers on the next socket of the same session.
      socket.send(JSON.stringify({ channel: "iopub", header: { msg_id: "s", msg_type: "status" }, parent_header: request.header, metadata: {}, content: { execution_state: "busy" } }));
      setTimeout(() => socket.terminate(), 20);
      kernel.server.once("connection", (next) => setTimeout(() => FakeKernel.finish(next, request), 50));
    };
    const pending = connection.execute("long()");
    await expect(pending.done).resolves.toEqual({ status: "ok" });
    expect(opened()).toBe(2);
    // Acknowledged before the drop: not sent again.
    expect(seen).toBe(1);
    connection.close();
  });

  it("resends a request the kernel never acknowledged before the drop", async () => {
    const { connection } = connectionTo(kernel);
    await connection.connect();
    const ids: string[] = [];
    kernel.onRequest = (request, socket) => {
      ids.push(request.header.msg_id);
      if (ids.length === 1) socket.terminate();
      else FakeKernel.finish(socket, request);
    };
    const pending = connection.execute("lost_in_flight()");
    await expect(pending.done).resolves.toEqual({ status: "ok" });
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(ids[0]);
    connection.close();
  });

  it("fails pending requests when the kernel dies, and all of them when it cannot reconnect", async () => {
    const { connection } = connectionTo(kernel);
    await connection.connect();
    const states: string[] = [];
    connection.onKernelStatus((state) => states.push(state));
    kernel.onRequest = (_request, socket) =>
      socket.send(JSON.stringify({ channel: "iopub", header: { msg_id: "d", msg_type: "status" }, parent_header: {}, metadata: {}, content: { execution_state: "dead" } }));
    await expect(connection.execute("import os; os._exit(1)").done).rejects.toBeInstanceOf(KernelDiedError);
    expect(states).toEqual(["dead"]);

    kernel.onRequest = () => undefined;
    const stranded = connection.execute("x");
    await new Promise((resolve) => setTimeout(resolve, 20));
    await kernel.close();
    await expect(stranded.done).rejects.toBeInstanceOf(ConnectionLostError);
    connection.close();
  }, 15_000);
});

describe("CellOutput", () => {
  const message = (msgType: string, content: Record<string, unknown>): KernelMessage =>
    ({ channel: "iopub", header: { msg_id: "m", msg_type: msgType }, parent_header: {}, metadata: {}, content }) as KernelMessage;

  it("collects stdout and stderr in order, the value, rich outputs and an ANSI-free error", () => {
    const chunks: string[] = [];
    const output = new CellOutput(10_000, (chunk) => chunks.push(chunk));
    output.handle(message("stream", { name: "stdout", text: "out\n" }));
    output.handle(message("stream", { name: "stderr", text: "err\n" }));
    output.handle(message("display_data", { data: { "image/png": "iVBO\nRw0K", "text/plain": "<Figure>" } }));
    output.handle(message("display_data", { data: { "image/gif": "R0lGOD", "text/html": ["<b>", "x</b>"] } }));
    output.handle(message("execute_result", { data: { "text/plain": "42" } }));
    output.handle(message("error", { ename: "ValueError", evalue: "bad", traceback: ["\u001b[31mValueError\u001b[0m: bad"] }));
    expect(output.output).toBe("out\nerr\n");
    expect(chunks.join("")).toBe("out\nerr\n");
    expect(output.value).toBe("42");
    expect(output.outputs).toEqual([
      { mimeType: "image/png", data: "iVBORw0K", text: "<Figure>" },
      { mimeType: "image/gif", data: "R0lGOD" },
      { mimeType: "text/html", data: "<b>x</b>" },
    ]);
    expect(output.error).toEqual({ name: "ValueError", message: "bad", traceback: "ValueError: bad" });
  });

  it("keeps memory bounded when a cell floods its output", () => {
    const output = new CellOutput(100);
    for (let index = 0; index < 10_000; index += 1) output.handle(message("stream", { name: "stdout", text: "x".repeat(100) }));
    expect(output.truncated).toBe(true);
    expect(output.output.length).toBeLessThanOrEqual(100 + 60);
    expect(output.output).toContain("characters truncated");
  });
});
