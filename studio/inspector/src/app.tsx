import type { Assistant, Client, Thread } from "@langchain/langgraph-sdk";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { createClient, initialApiUrl, saveApiUrl, STREAM_MODES } from "./api.js";
import { ApprovalPanel, isApprovalRequest, type ApprovalDecision, type ApprovalRequest } from "./components/approval-panel.js";
import { GraphView } from "./components/graph-view.js";
import {
  isToolApprovalRequest,
  ToolApprovalPanel,
  type ToolApprovalDecision,
  type ToolApprovalRequest,
} from "./components/tool-approval-panel.js";
import { TimelineView } from "./components/timeline-view.js";
import { subgraphIds, type ApiGraph } from "./lib/graph-model.js";
import { applyStreamPart, createLiveRun, finishLiveRun, type CodeLanguage, type LiveRun } from "./lib/live.js";
import { buildTimelines, type HistoryEntry, type RunInfo } from "./lib/timeline.js";

/** Checkpoints read per thread: enough for long CodeAct turns (about 3 per code cell). */
const HISTORY_LIMIT = 500;

interface ThreadData {
  history: HistoryEntry[];
  runs: RunInfo[];
  /** What the thread waits on: code to approve, or a tool call the running code made. */
  approval: ApprovalRequest | ToolApprovalRequest | null;
}

const EMPTY_THREAD: ThreadData = { history: [], runs: [], approval: null };

function languageOf(assistant: Assistant | undefined): CodeLanguage | undefined {
  if (assistant === undefined) return undefined;
  return assistant.graph_id.includes("python") ? "python" : assistant.graph_id.includes("js") ? "javascript" : undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function loadThread(client: Client, threadId: string): Promise<ThreadData> {
  const [history, runs, state] = await Promise.all([
    client.threads.getHistory(threadId, { limit: HISTORY_LIMIT }),
    client.runs.list(threadId, { limit: 100 }),
    client.threads.getState(threadId),
  ]);
  const interrupts = state.tasks.flatMap((task) => task.interrupts ?? []);
  const approval =
    interrupts.map((interrupt) => interrupt.value).find((value) => isApprovalRequest(value) || isToolApprovalRequest(value)) ?? null;
  return {
    history: history as HistoryEntry[],
    runs: runs.map((run) => ({ run_id: run.run_id, status: run.status, created_at: run.created_at })),
    approval,
  };
}

export function App() {
  const [apiUrl, setApiUrl] = useState<string | null>(null);
  const [apiUrlDraft, setApiUrlDraft] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [assistants, setAssistants] = useState<Assistant[]>([]);
  const [assistantId, setAssistantId] = useState<string>("");
  const [threads, setThreads] = useState<Thread[]>([]);
  const [threadId, setThreadId] = useState<string>("");
  const [graph, setGraph] = useState<ApiGraph | null>(null);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [thread, setThread] = useState<ThreadData>(EMPTY_THREAD);
  const [live, setLive] = useState<ReadonlyMap<string, LiveRun>>(new Map());
  const [current, setCurrent] = useState<LiveRun | null>(null);
  const [liveValues, setLiveValues] = useState<unknown>(null);
  const [message, setMessage] = useState("");
  const busy = current?.status === "running";
  // Live runs are kept per thread for the page's lifetime: tool calls inside
  // cells exist only on the stream.
  const liveByThread = useRef(new Map<string, Map<string, LiveRun>>());

  const client = useMemo(() => (apiUrl === null ? null : createClient(apiUrl)), [apiUrl]);
  const assistant = assistants.find((candidate) => candidate.assistant_id === assistantId);

  useEffect(() => {
    void initialApiUrl().then((url) => {
      setApiUrl(url);
      setApiUrlDraft(url);
    });
  }, []);

  // Assistants of the server.
  useEffect(() => {
    if (client === null) return;
    let cancelled = false;
    setError(null);
    client.assistants
      .search({ limit: 100, sortBy: "created_at", sortOrder: "desc" })
      .then((found) => {
        if (cancelled) return;
        setAssistants(found);
        const saved = localStorage.getItem("codeact-inspector:assistant");
        const pick = found.find((candidate) => candidate.assistant_id === saved) ?? found[0];
        setAssistantId(pick?.assistant_id ?? "");
      })
      .catch((reason: unknown) => !cancelled && setError(`Cannot reach the LangGraph API at ${apiUrl}: ${describe(reason)}`));
    return () => {
      cancelled = true;
    };
  }, [client, apiUrl]);

  // Graph and threads of the assistant.
  useEffect(() => {
    if (client === null || assistantId === "") return;
    let cancelled = false;
    localStorage.setItem("codeact-inspector:assistant", assistantId);
    setGraph(null);
    setExpanded(new Set());
    Promise.all([
      client.assistants.getGraph(assistantId, { xray: true }),
      client.threads.search({ metadata: { assistant_id: assistantId }, limit: 50, sortBy: "updated_at", sortOrder: "desc" }),
    ])
      .then(([found, list]) => {
        if (cancelled) return;
        setGraph(found as unknown as ApiGraph);
        setThreads(list);
        setThreadId((previous) => (list.some((item) => item.thread_id === previous) ? previous : (list[0]?.thread_id ?? "")));
      })
      .catch((reason: unknown) => !cancelled && setError(describe(reason)));
    return () => {
      cancelled = true;
    };
  }, [client, assistantId]);

  const refreshThread = useCallback(
    async (id: string) => {
      if (client === null || id === "") return;
      try {
        setThread(await loadThread(client, id));
      } catch (reason) {
        setError(describe(reason));
      }
    },
    [client]
  );

  useEffect(() => {
    setThread(EMPTY_THREAD);
    setLiveValues(null);
    setLive(new Map(liveByThread.current.get(threadId) ?? []));
    void refreshThread(threadId);
  }, [threadId, refreshThread]);

  const newThread = useCallback(async () => {
    if (client === null || assistant === undefined) return;
    const created = await client.threads.create({
      metadata: { assistant_id: assistant.assistant_id, graph_id: assistant.graph_id },
    });
    setThreads((list) => [created, ...list]);
    setThreadId(created.thread_id);
    return created.thread_id;
  }, [client, assistant]);

  /** Streams a run (a new message or a resume) and keeps the live details. */
  const streamRun = useCallback(
    async (targetThread: string, payload: { input: unknown } | { command: { resume: ApprovalDecision | ToolApprovalDecision } }) => {
      if (client === null || assistantId === "") return;
      setError(null);
      let run = createLiveRun();
      setCurrent(run);
      const store = liveByThread.current.get(targetThread) ?? new Map<string, LiveRun>();
      liveByThread.current.set(targetThread, store);
      const publish = (next: LiveRun): void => {
        run = next;
        setCurrent(next);
        if (next.runId !== null) {
          store.set(next.runId, next);
          setLive(new Map(store));
        }
      };
      try {
        const stream = client.runs.stream(targetThread, assistantId, {
          ...payload,
          streamMode: STREAM_MODES,
        } as Parameters<Client["runs"]["stream"]>[2]);
        for await (const part of stream) {
          const next = applyStreamPart(run, part as { event: string; data: unknown });
          if (next !== run) publish(next);
          if (part.event === "values") setLiveValues(part.data);
        }
      } catch (reason) {
        publish({ ...run, status: "error", error: describe(reason) });
      } finally {
        // Reload the thread before dropping the streamed values, so the
        // timeline never falls back to the older history in between.
        await refreshThread(targetThread);
        publish(finishLiveRun(run));
        setLiveValues(null);
      }
    },
    [client, assistantId, refreshThread]
  );

  const send = useCallback(async () => {
    const text = message.trim();
    if (text === "" || busy) return;
    const target = threadId !== "" ? threadId : await newThread();
    if (target === undefined) return;
    setMessage("");
    await streamRun(target, { input: { messages: [{ role: "user", content: text }] } });
  }, [message, busy, threadId, newThread, streamRun]);

  const decide = useCallback(
    async (decision: ApprovalDecision | ToolApprovalDecision) => {
      setThread((data) => ({ ...data, approval: null }));
      await streamRun(threadId, { command: { resume: decision } });
    },
    [threadId, streamRun]
  );

  const timelines = useMemo(() => {
    // While a run streams, its latest values stand in as the newest checkpoint.
    const history =
      liveValues !== null && current?.runId
        ? [{ values: liveValues, metadata: { run_id: current.runId } }, ...thread.history]
        : thread.history;
    const language = languageOf(assistant);
    return buildTimelines({
      history,
      runs: thread.runs,
      live,
      ...(language !== undefined && { languageHint: language }),
    });
  }, [thread, live, liveValues, current, assistant]);

  const toggle = useCallback((id: string) => {
    setExpanded((previous) => {
      const next = new Set(previous);
      if (next.has(id)) {
        for (const other of previous) if (other === id || other.startsWith(`${id}:`)) next.delete(other);
      } else next.add(id);
      return next;
    });
  }, []);

  const applyApiUrl = (): void => {
    const url = apiUrlDraft.trim();
    if (url === "") return;
    saveApiUrl(url);
    setAssistants([]);
    setThreads([]);
    setThreadId("");
    setApiUrl(url);
  };

  const subgraphs = graph === null ? [] : subgraphIds(graph);
  return (
    <div className="app">
      <header className="topbar">
        <h1>CodeAct inspector</h1>
        <label className="field api-url">
          LangGraph API
          <input
            data-testid="api-url"
            value={apiUrlDraft}
            onChange={(event) => setApiUrlDraft(event.target.value)}
            onKeyDown={(event) => event.key === "Enter" && applyApiUrl()}
          />
        </label>
        <button className="secondary" onClick={applyApiUrl}>
          Connect
        </button>
        <label className="field">
          Assistant
          <select data-testid="assistant-select" value={assistantId} onChange={(event) => setAssistantId(event.target.value)}>
            {assistants.map((item) => (
              <option key={item.assistant_id} value={item.assistant_id}>
                {item.name === item.graph_id ? item.name : `${item.name} (${item.graph_id})`} · {item.assistant_id.slice(0, 8)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          Thread
          <select data-testid="thread-select" value={threadId} onChange={(event) => setThreadId(event.target.value)}>
            {threadId === "" && <option value="">(new thread)</option>}
            {threads.map((item) => (
              <option key={item.thread_id} value={item.thread_id}>
                {item.thread_id.slice(0, 8)} · {new Date(item.updated_at).toLocaleString()} · {item.status}
              </option>
            ))}
          </select>
        </label>
        <button className="secondary" data-testid="new-thread" disabled={busy || assistant === undefined} onClick={() => void newThread()}>
          New thread
        </button>
      </header>
      {error && (
        <div className="error-banner" data-testid="error">
          {error}
        </div>
      )}
      <main className="panes">
        <aside className="graph-pane">
          <div className="pane-title">
            Graph {assistant ? <code>{assistant.graph_id}</code> : null}
            {busy && <span className="live-dot" data-testid="live-indicator">live</span>}
          </div>
          {graph !== null && (
            <GraphView graph={graph} expanded={expanded} activeNodes={current?.activeNodes ?? []} onToggle={toggle} />
          )}
          {subgraphs.length > 0 && <div className="hint">Click a ▸ subgraph to expand it, its ▾ label to collapse it.</div>}
          {current?.status === "error" && current.error && <div className="run-error">Run failed: {current.error}</div>}
        </aside>
        <section className="timeline-pane">
          <TimelineView timelines={timelines} awaitingApproval={thread.approval !== null} />
          {thread.approval !== null && !busy && isToolApprovalRequest(thread.approval) && (
            <ToolApprovalPanel
              key={`${thread.approval.call}:${thread.approval.error ?? ""}`}
              request={thread.approval}
              busy={busy}
              onDecide={(decision) => void decide(decision)}
            />
          )}
          {thread.approval !== null && !busy && isApprovalRequest(thread.approval) && (
            <ApprovalPanel key={thread.approval.code} request={thread.approval} busy={busy} onDecide={(decision) => void decide(decision)} />
          )}
          <div className="composer">
            <textarea
              data-testid="composer"
              placeholder={thread.approval ? "Answer the approval above first" : "Ask the agent…  (Ctrl+Enter to send)"}
              value={message}
              rows={2}
              disabled={thread.approval !== null}
              onChange={(event) => setMessage(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) void send();
              }}
            />
            <button data-testid="send" disabled={busy || message.trim() === "" || assistant === undefined || thread.approval !== null} onClick={() => void send()}>
              {busy ? "Running…" : "Send"}
            </button>
          </div>
        </section>
      </main>
    </div>
  );
}
