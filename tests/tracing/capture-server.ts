/**
 * A local stand-in for the LangSmith API that records what the real
 * `langsmith` client sends, for tracing tests.
 *
 * It speaks the ingest endpoints the client uses (read from
 * `langsmith/lib/client.js` 0.12.0): `GET /info` (which decides JSON batches
 * or multipart), `POST /runs/batch` (`{ post: [...], patch: [...] }`),
 * `POST /runs/multipart` (form parts `post.<id>`, `post.<id>.inputs`, …),
 * `POST /runs` and `PATCH /runs/:id`, plus `GET /sessions?name=` so trace
 * URLs can be built. Bodies may be gzip-encoded.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

/** A run as the client sent it (create and update merged by id). */
export interface CapturedRun {
  id: string;
  name?: string;
  run_type?: string;
  parent_run_id?: string;
  trace_id?: string;
  dotted_order?: string;
  session_name?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  error?: string;
  extra?: { metadata?: Record<string, unknown>; [key: string]: unknown };
  tags?: string[];
  start_time?: string | number;
  end_time?: string | number;
  [key: string]: unknown;
}

/** A run with its children, rebuilt from `parent_run_id`. */
export interface RunNode {
  run: CapturedRun;
  children: RunNode[];
}

/** One HTTP request the server received. */
export interface CapturedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Size of the (decoded) body in bytes. */
  bodyBytes: number;
}

export interface CaptureServerOptions {
  /** What `GET /info` answers. @defaultValue JSON batches, no compression */
  info?: Record<string, unknown>;
  /** Answer every request with this status instead (e.g. 500); see {@link CaptureServer.failWithStatus}. */
  failWithStatus?: number;
  /** Port on 127.0.0.1. @defaultValue a free port */
  port?: number;
}

export interface CaptureServer {
  /** `http://127.0.0.1:<port>`: the value for `LANGSMITH_ENDPOINT`. */
  readonly url: string;
  readonly requests: CapturedRequest[];
  /** The project (session) every run is recorded in, for trace URLs. */
  readonly project: { id: string; tenantId: string };
  /** Every run operation received, in order. */
  readonly operations: { kind: "post" | "patch"; run: CapturedRun }[];
  /** Runs merged by id (later operations override earlier fields). */
  runs(): CapturedRun[];
  /** When set, every request is answered with this status. Can be changed at any time. */
  failWithStatus: number | undefined;
  /** Forgets what was received. */
  reset(): void;
  close(): Promise<void>;
}

/** JSON batches: the client then posts `{post, patch}` to `/runs/batch`. */
export const JSON_BATCH_INFO = { batch_ingest_config: { use_multipart_endpoint: false } };

export async function startCaptureServer(options: CaptureServerOptions = {}): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  const operations: { kind: "post" | "patch"; run: CapturedRun }[] = [];
  const project = { id: randomUUID(), tenantId: randomUUID() };
  const info = options.info ?? JSON_BATCH_INFO;

  const record = (kind: "post" | "patch", run: unknown): void => {
    if (typeof run === "object" && run !== null && typeof (run as CapturedRun).id === "string") {
      operations.push({ kind, run: run as CapturedRun });
    }
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const body = await readBody(request);
    requests.push({
      method: request.method ?? "GET",
      path: url.pathname,
      headers: request.headers,
      bodyBytes: body.length,
    });
    if (capture.failWithStatus !== undefined) {
      return send(response, capture.failWithStatus, { detail: "capture server told to fail" });
    }
    const route = `${request.method} ${url.pathname}`;
    if (route === "GET /info") return send(response, 200, info);
    if (route === "POST /runs/batch") {
      const batch = JSON.parse(body.toString("utf8")) as { post?: unknown[]; patch?: unknown[] };
      (batch.post ?? []).forEach((run) => record("post", run));
      (batch.patch ?? []).forEach((run) => record("patch", run));
      return send(response, 202, {});
    }
    if (route === "POST /runs/multipart") {
      await recordMultipart(request, body, record);
      return send(response, 202, {});
    }
    if (route === "POST /runs") {
      record("post", JSON.parse(body.toString("utf8")));
      return send(response, 202, {});
    }
    const patch = /^PATCH \/runs\/([^/]+)$/.exec(route);
    if (patch !== null) {
      record("patch", { ...(JSON.parse(body.toString("utf8")) as object), id: patch[1] });
      return send(response, 202, {});
    }
    if (route === "GET /sessions") {
      const name = url.searchParams.get("name") ?? "default";
      return send(response, 200, [{ id: project.id, tenant_id: project.tenantId, name }]);
    }
    return send(response, 404, { detail: `no route ${route}` });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      send(response, 400, { detail: String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;

  const capture: CaptureServer = {
    failWithStatus: options.failWithStatus,
    url: `http://127.0.0.1:${port}`,
    requests,
    project,
    operations,
    runs: () => mergeRuns(operations.map((operation) => operation.run)),
    reset: () => {
      requests.length = 0;
      operations.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return capture;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) return;
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return request.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
}

/** Multipart parts are `post.<id>` (the run) and `post.<id>.<field>` (inputs, outputs, …). */
async function recordMultipart(
  request: IncomingMessage,
  body: Buffer,
  record: (kind: "post" | "patch", run: unknown) => void
): Promise<void> {
  // The fetch API's multipart parser, so the test does not carry its own.
  const form = await new Request("http://127.0.0.1/runs/multipart", {
    method: "POST",
    headers: { "content-type": request.headers["content-type"] ?? "" },
    body,
  }).formData();
  const runs = new Map<string, { kind: "post" | "patch"; run: Record<string, unknown> }>();
  for (const [name, value] of form.entries()) {
    const match = /^(post|patch)\.([^.]+)(?:\.(\w+))?$/.exec(name);
    if (match === null) continue;
    const [, kind, id, field] = match as unknown as [string, "post" | "patch", string, string | undefined];
    const text = typeof value === "string" ? value : await value.text();
    const key = `${kind}.${id}`;
    const entry = runs.get(key) ?? { kind, run: { id } };
    runs.set(key, entry);
    if (field === undefined) Object.assign(entry.run, JSON.parse(text));
    else entry.run[field] = JSON.parse(text);
  }
  for (const { kind, run } of runs.values()) record(kind, run);
}

function mergeRuns(runs: CapturedRun[]): CapturedRun[] {
  const byId = new Map<string, CapturedRun>();
  for (const run of runs) {
    const defined = Object.fromEntries(Object.entries(run).filter(([, value]) => value !== undefined));
    byId.set(run.id, { ...byId.get(run.id), ...defined } as CapturedRun);
  }
  return [...byId.values()];
}

/**
 * Rebuilds the trees from `parent_run_id`, children ordered by
 * `dotted_order`, and checks that every run's `trace_id` and `dotted_order`
 * agree with its place in the tree.
 */
export function buildTrees(runs: CapturedRun[]): RunNode[] {
  const nodes = new Map(runs.map((run) => [run.id, { run, children: [] as RunNode[] }]));
  const roots: RunNode[] = [];
  for (const node of nodes.values()) {
    const parentId = node.run.parent_run_id;
    const parent = parentId === undefined || parentId === null ? undefined : nodes.get(parentId);
    if (parentId !== undefined && parentId !== null && parent === undefined) {
      throw new Error(`run ${node.run.name} (${node.run.id}) has an unknown parent ${parentId}`);
    }
    (parent?.children ?? roots).push(node);
  }
  const order = (node: RunNode) => node.run.dotted_order ?? "";
  const check = (node: RunNode, root: RunNode, parent: RunNode | undefined): void => {
    node.children.sort((a, b) => order(a).localeCompare(order(b)));
    const { run } = node;
    if (run.trace_id !== root.run.id) {
      throw new Error(`run ${run.name} has trace_id ${run.trace_id}, expected ${root.run.id}`);
    }
    const dotted = run.dotted_order ?? "";
    const expectedPrefix = parent === undefined ? "" : `${parent.run.dotted_order}.`;
    if (!dotted.startsWith(expectedPrefix) || !dotted.endsWith(run.id.replace(/-/g, "")) && !dotted.endsWith(run.id)) {
      throw new Error(`run ${run.name} has dotted_order ${dotted} not under ${expectedPrefix}`);
    }
    node.children.forEach((child) => check(child, root, node));
  };
  roots.forEach((root) => check(root, root, undefined));
  return roots;
}

/** Every node of the trees, depth first. */
export function flatten(nodes: RunNode[]): RunNode[] {
  return nodes.flatMap((node) => [node, ...flatten(node.children)]);
}

/** Renders a tree as indented `run_type:name` lines, for readable assertions. */
export function outline(node: RunNode, depth = 0): string[] {
  return [
    `${"  ".repeat(depth)}${node.run.run_type}:${node.run.name}`,
    ...node.children.flatMap((child) => outline(child, depth + 1)),
  ];
}
