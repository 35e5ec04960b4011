import WebSocket, { WebSocketServer } from "ws";
import { KernelConnection } from "../../../src/executors/jupyter/kernel-connection.js";
import { ConnectionLostError, KernelDiedError, type KernelMessage } from "../../../src/executors/jupyter/kernel-protocol.js";

// A fake kernel behind a real WebSocket server: it answers execute_requests
// with a reply and `idle`, unless told to drop them; the test can cut sockets.
interface FakeKernel {
  server: WebSocketServer;
  port: number;
  received: KernelMessage[];
  sockets: Set<WebSocket>;
  /** Requests the kernel swallows (never answers), by code. */
  swallow: Set<string>;
  /** Sessions seen in the URL, one per accepted socket. */
  sessions: string[];
}

function reply(socket: WebSocket, request: KernelMessage, channel: string, msgType: string, content: Record<string, unknown>): void {
  socket.send(
    JSON.stringify({
      channel,
      header: { msg_id: `${msgType}-${request.header.msg_id}`, msg_type: msgType },
      parent_header: request.header,
      metadata: {},
      content,
    })
  );
}

function startFakeKernel(): Promise<FakeKernel> {
  return new Promise((resolve) => {
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    const kernel: FakeKernel = { server, port: 0, received: [], sockets: new Set(), swallow: new Set(), sessions: [] };
    server.on("connection", (socket, request) => {
      kernel.sessions.push(new URL(request.url ?? "/", "http://x").searchParams.get("session_id") ?? "");
      kernel.sockets.add(socket);
      socket.on("close", () => kernel.sockets.delete(socket));
      socket.on("message", (data) => {
        const message = JSON.parse(data.toString()) as KernelMessage;
        kernel.received.push(message);
        if (message.header.msg_type !== "execute_request") return;
        const code = String(message.content.code);
        if (kernel.swallow.has(code)) return;
        reply(socket, message, "iopub", "stream", { name: "stdout", text: `ran ${code}` });
        reply(socket, message, "shell", "execute_reply", { status: "ok", code });
        reply(socket, message, "iopub", "status", { execution_state: "idle" });
      });
    });
    server.on("listening", () => {
      const address = server.address();
      kernel.port = typeof address === "object" && address ? address.port : 0;
      resolve(kernel);
    });
  });
}

let kernel: FakeKernel;
const connections: KernelConnection[] = [];

function connectionTo(fake: FakeKernel, options = { reconnectDelaysMs: [10, 20, 40], resendAfterReconnectMs: 30 }): KernelConnection {
  const connection = new KernelConnection(
    (session) =>
      new Promise((resolve, reject) => {
        const socket = new WebSocket(`ws://127.0.0.1:${fake.port}/?session_id=${session}`);
        socket.once("open", () => resolve(socket));
        socket.once("error", reject);
      }),
    options
  );
  connections.push(connection);
  return connection;
}

beforeEach(async () => {
  kernel = await startFakeKernel();
});

afterEach(async () => {
  for (const connection of connections.splice(0)) connection.close();
  for (const socket of kernel.sockets) socket.terminate();
  await new Promise((done) => kernel.server.close(() => done(undefined)));
});

describe("KernelConnection", () => {
  it("routes output and the reply to their request and resolves only after idle", async () => {
    const connection = connectionTo(kernel);
    await connection.connect();
    const seen: string[] = [];
    const [first, second] = [
      connection.execute("a", { onIopub: (message) => seen.push(`a:${String(message.content.text)}`) }),
      connection.execute("b", { onIopub: (message) => seen.push(`b:${String(message.content.text)}`) }),
    ];
    expect((await first.done).code).toBe("a");
    expect((await second.done).code).toBe("b");
    expect(seen).toEqual(["a:ran a", "b:ran b"]);
  });

  it("reconnects as the same Jupyter session and resends a request the kernel never saw", async () => {
    const connection = connectionTo(kernel);
    await connection.connect();
    // The first socket eats the request (lost in flight), then drops.
    kernel.swallow.add("lost");
    const pending = connection.execute("lost");
    await new Promise((done) => setTimeout(done, 20));
    kernel.swallow.delete("lost");
    for (const socket of kernel.sockets) socket.terminate();
    expect((await pending.done).code).toBe("lost");
    const sent = kernel.received.filter((message) => message.content.code === "lost");
    expect(sent).toHaveLength(2);
    expect(sent[0]?.header.msg_id).toBe(sent[1]?.header.msg_id);
    expect(kernel.sessions).toHaveLength(2);
    expect(kernel.sessions[0]).toBe(kernel.sessions[1]);
  });

  it("does not resend a request the kernel already answered in part", async () => {
    const connection = connectionTo(kernel);
    await connection.connect();
    kernel.swallow.add("half");
    const pending = connection.execute("half");
    await new Promise((done) => setTimeout(done, 20));
    const request = kernel.received.find((message) => message.content.code === "half") as KernelMessage;
    // The kernel acknowledged it (output arrived), then the socket dropped.
    for (const socket of kernel.sockets) reply(socket, request, "iopub", "stream", { name: "stdout", text: "partial" });
    await new Promise((done) => setTimeout(done, 20));
    for (const socket of kernel.sockets) socket.terminate();
    await new Promise((done) => setTimeout(done, 150));
    expect(kernel.received.filter((message) => message.content.code === "half")).toHaveLength(1);
    // The server replays the rest on the new socket.
    for (const socket of kernel.sockets) {
      reply(socket, request, "shell", "execute_reply", { status: "ok", code: "half" });
      reply(socket, request, "iopub", "status", { execution_state: "idle" });
    }
    expect((await pending.done).code).toBe("half");
  });

  it("sends a request written while the socket is down once it is back", async () => {
    const connection = connectionTo(kernel);
    await connection.connect();
    for (const socket of kernel.sockets) socket.close();
    await new Promise((done) => setTimeout(done, 20));
    expect((await connection.execute("later").done).code).toBe("later");
  });

  it("fails pending requests when the server stays away", async () => {
    const connection = connectionTo(kernel);
    await connection.connect();
    kernel.swallow.add("never");
    const pending = connection.execute("never");
    await new Promise((done) => setTimeout(done, 20));
    for (const socket of kernel.sockets) socket.terminate();
    await new Promise((done) => kernel.server.close(() => done(undefined)));
    await expect(pending.done).rejects.toBeInstanceOf(ConnectionLostError);
    kernel.server = new WebSocketServer({ noServer: true }); // closed in afterEach
  });

  it("fails pending requests with KernelDiedError on a parentless dead status, and tells listeners", async () => {
    const connection = connectionTo(kernel);
    await connection.connect();
    const states: string[] = [];
    connection.onKernelStatus((state) => states.push(state));
    kernel.swallow.add("dies");
    const pending = connection.execute("dies");
    await new Promise((done) => setTimeout(done, 20));
    for (const socket of kernel.sockets) {
      socket.send(JSON.stringify({ channel: "iopub", header: { msg_id: "s", msg_type: "status" }, parent_header: {}, metadata: {}, content: { execution_state: "dead" } }));
    }
    await expect(pending.done).rejects.toBeInstanceOf(KernelDiedError);
    expect(states).toEqual(["dead"]);
  });

  it("ignores messages of a forgotten request and junk frames", async () => {
    const connection = connectionTo(kernel);
    await connection.connect();
    for (const socket of kernel.sockets) socket.send("not json");
    const seen: string[] = [];
    const forgotten = connection.execute("x", { onIopub: () => seen.push("x") });
    connection.forget(forgotten.header.msg_id);
    expect((await connection.execute("y").done).code).toBe("y");
    expect(seen).toEqual([]);
  });

  it("refuses work after close and rejects what was pending", async () => {
    const connection = connectionTo(kernel);
    await connection.connect();
    kernel.swallow.add("open");
    const pending = connection.execute("open");
    connection.close();
    connection.close();
    await expect(pending.done).rejects.toBeInstanceOf(ConnectionLostError);
    await expect(connection.connect()).rejects.toBeInstanceOf(ConnectionLostError);
  });
});
