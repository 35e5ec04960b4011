import type { ToolCallView } from "../lib/live.js";
import { extractDataUrlImages, isRenderableMarkup, splitRichOutputs } from "../lib/observation.js";
import type { RunTimeline, TimelineItem } from "../lib/timeline.js";
import { CodeBlock } from "./code-block.js";

/** Characters of a tool call's arguments or result shown on its summary line. */
const TOOL_PREVIEW_CHARS = 160;

/** Text of a model reply without its code fences (the cell below shows the code). */
function prose(text: string): string {
  return text.replace(/^[ \t]*(`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:^[ \t]*\1[ \t]*$|(?![\s\S]))/gm, "").trim();
}

function json(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/** JSON on one line, clipped, for summaries. */
function preview(value: unknown, maxChars = TOOL_PREVIEW_CHARS): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

function ToolCalls({ calls, omitted }: { calls: readonly ToolCallView[]; omitted: number }) {
  if (calls.length === 0) return null;
  return (
    <div className="tool-calls">
      <div className="section-title">Tool calls inside the cell</div>
      {calls.map((call, index) => (
        <details key={index} className="tool-call" data-testid="tool-call">
          <summary>
            <code className="tool-name">{call.name}</code>
            <span className="tool-args">({preview(call.args)})</span>
            {call.error !== undefined ? (
              <span className="tool-status error">failed: {call.error}</span>
            ) : call.running ? (
              <span className="tool-status running">running…</span>
            ) : (
              <span className="tool-status done" data-testid="tool-result">
                → {preview(call.result)}
              </span>
            )}
            {call.durationMs !== undefined && !call.running && <span className="tool-duration">{formatMs(call.durationMs)}</span>}
          </summary>
          <div className="section-title">Arguments</div>
          <pre className="tool-result">{json(call.args)}</pre>
          {call.error === undefined && !call.running && (
            <>
              <div className="section-title">Result</div>
              <pre className="tool-result">{json(call.result)}</pre>
            </>
          )}
        </details>
      ))}
      {omitted > 0 && <div className="hint">…and {omitted} more calls, counted but not kept in the thread.</div>}
    </div>
  );
}

const STATUS_LABEL: Record<string, string> = {
  pending: "waiting",
  running: "running…",
  done: "ran",
  error: "error",
  rejected: "rejected",
};

function Cell({ item, awaitingApproval }: { item: Extract<TimelineItem, { kind: "cell" }>; awaitingApproval: boolean }) {
  const result = item.result;
  // While the cell runs, the stream's output; afterwards, the observation's.
  const live = result ? undefined : extractDataUrlImages(item.output);
  const liveRich = result ? undefined : splitRichOutputs(item.liveOutputs);
  const output = result ? result.output : (live?.text ?? "");
  const images = result ? result.images : [...(live?.images ?? []), ...(liveRich?.images ?? [])];
  const displayedOutputs = result ? result.displayed : (liveRich?.displayed ?? []);
  const imageNotes = result ? result.imageNotes : (liveRich?.imageNotes ?? []);
  const status = item.status === "pending" && awaitingApproval ? "approval" : item.status;
  return (
    <div className="item cell" data-testid="cell" data-status={status}>
      <div className="item-header">
        <span className="badge">{item.language === "python" ? "Python" : "JavaScript"} cell</span>
        <span className={`cell-status ${status}`}>{status === "approval" ? "awaiting approval" : STATUS_LABEL[status]}</span>
        {result?.editedCode !== undefined && <span className="badge edited">edited before running</span>}
      </div>
      <CodeBlock code={item.code} language={item.language} />
      <ToolCalls calls={item.toolCalls} omitted={result?.toolCallsOmitted ?? 0} />
      {result?.sessionNotice && <div className="session-notice">Session: {result.sessionNotice}</div>}
      {output.trim() !== "" && (
        <>
          <div className="section-title">Output{result?.truncated ? " (truncated)" : ""}</div>
          <pre className="cell-output" data-testid="cell-output">
            {output}
          </pre>
        </>
      )}
      {images.map((src, index) => (
        <img key={index} className="cell-image" data-testid="cell-image" src={src} alt={`Image ${index + 1} displayed by the cell`} />
      ))}
      {displayedOutputs.map((displayed, index) =>
        isRenderableMarkup(displayed) ? (
          // No allow-scripts: the HTML is shown, never run with the page's rights.
          <iframe
            key={index}
            className="cell-html"
            data-testid="cell-html"
            sandbox=""
            title={`${displayed.mimeType} output ${index + 1}`}
            srcDoc={displayed.text}
          />
        ) : (
          <div key={index}>
            <div className="section-title">{displayed.mimeType}</div>
            <pre className="cell-output">{displayed.text}</pre>
          </div>
        )
      )}
      {imageNotes.map((note, index) => (
        <div key={index} className="image-note" title="The cell displayed this output; the thread keeps only its size.">
          {note}
        </div>
      ))}
      {result?.value !== undefined && (
        <>
          <div className="section-title">Value</div>
          <pre className="cell-value" data-testid="cell-value">
            {result.value}
          </pre>
        </>
      )}
      {result?.error && (
        <div className="cell-error" data-testid="cell-error">
          <div className="error-headline">
            {result.error.name}: {result.error.message}
          </div>
          {result.error.traceback && <pre className="traceback">{result.error.traceback}</pre>}
        </div>
      )}
    </div>
  );
}

function Item({ item, awaitingApproval }: { item: TimelineItem; awaitingApproval: boolean }) {
  switch (item.kind) {
    case "user":
      return (
        <div className="item user" data-testid="user-message">
          <div className="item-header">
            <span className="badge">User</span>
          </div>
          <div className="text">{item.text}</div>
        </div>
      );
    case "model": {
      const text = prose(item.text);
      return (
        <div className="item model" data-testid="model-turn">
          <div className="item-header">
            <span className="badge">Model{item.agent ? ` · ${item.agent}` : ""}</span>
          </div>
          {text !== "" && <div className="text">{text}</div>}
          {item.toolCalls.map((call, index) => (
            <div key={index} className="model-tool-call">
              calls <code>{call.name}</code> {json(call.args).replace(/\s+/g, " ")}
            </div>
          ))}
        </div>
      );
    }
    case "cell":
      return <Cell item={item} awaitingApproval={awaitingApproval} />;
    case "note":
      return (
        <div className="item note">
          <div className="item-header">
            <span className="badge">{item.title}</span>
          </div>
          <pre className="text">{item.text}</pre>
        </div>
      );
    case "answer":
      return (
        <div className="item answer" data-testid="answer">
          <div className="item-header">
            <span className="badge">Answer{item.agent ? ` · ${item.agent}` : ""}</span>
          </div>
          <div className="text">{item.text}</div>
          {item.structured !== undefined && (
            <>
              <div className="section-title">Structured answer</div>
              <pre className="cell-value">{json(item.structured)}</pre>
            </>
          )}
        </div>
      );
    case "stopped":
      return (
        <div className="item stopped" data-testid="stopped">
          <div className="text">{item.text}</div>
        </div>
      );
  }
}

interface Props {
  timelines: RunTimeline[];
  /** The thread waits for an approval (its last pending cell is the one to approve). */
  awaitingApproval: boolean;
}

export function TimelineView({ timelines, awaitingApproval }: Props) {
  if (timelines.length === 0) {
    return <div className="empty">No runs on this thread yet. Send a message below.</div>;
  }
  return (
    <div className="timeline">
      {timelines.map((timeline, index) => (
        <section key={timeline.runId} className="run" data-testid="run" data-run-id={timeline.runId} data-run-status={timeline.status ?? ""}>
          <header className="run-header">
            <span className="run-title">Run {index + 1}</span>
            <code className="run-id">{timeline.runId.slice(0, 8)}</code>
            {timeline.status && <span className={`run-status ${timeline.status}`}>{timeline.status}</span>}
            {timeline.createdAt && <span className="run-time">{new Date(timeline.createdAt).toLocaleTimeString()}</span>}
          </header>
          {timeline.items.map((item) => (
            <Item key={item.key} item={item} awaitingApproval={awaitingApproval && index === timelines.length - 1} />
          ))}
        </section>
      ))}
    </div>
  );
}
