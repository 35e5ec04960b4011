import { useState } from "react";
import { CodeBlock } from "./code-block.js";
import { RejectControls } from "./reject-controls.js";

/** The value of the interrupt a tool call inside code raises (src/graph/tool-approval/types.ts). */
export interface ToolApprovalRequest {
  type: "codeact_tool_approval";
  tool: string;
  args: unknown;
  code: string;
  language: "javascript" | "python";
  call: number;
  error?: string;
}

/** Resume values a tool approval accepts. */
export type ToolApprovalDecision =
  | { action: "approve" }
  | { action: "edit"; args: Record<string, unknown> }
  | { action: "reject"; reason?: string };

export function isToolApprovalRequest(value: unknown): value is ToolApprovalRequest {
  const request = value as Partial<ToolApprovalRequest> | null;
  return typeof request === "object" && request !== null && request.type === "codeact_tool_approval" && typeof request.tool === "string";
}

interface Props {
  request: ToolApprovalRequest;
  busy: boolean;
  onDecide: (decision: ToolApprovalDecision) => void;
}

/** Reads edited arguments: a JSON object, or why the text is not one. */
function parseArgs(text: string): Record<string, unknown> | string {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    return "The arguments must be a JSON object.";
  } catch (error) {
    return `Not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Shows the tool call the running code waits on, with its arguments; approve it, run it with edited arguments, or reject it. */
export function ToolApprovalPanel({ request, busy, onDecide }: Props) {
  const [editing, setEditing] = useState(false);
  const [args, setArgs] = useState(JSON.stringify(request.args, null, 2));
  const parsed = parseArgs(args);
  return (
    <div className="approval" data-testid="tool-approval">
      <div className="approval-title">
        The code calls <code data-testid="tool-approval-tool">{request.tool}</code> (call {request.call + 1} of the cell) with
      </div>
      {request.error && (
        <div className="approval-error" data-testid="tool-approval-error">
          {request.error}
        </div>
      )}
      {editing ? (
        <>
          <textarea
            className="approval-editor"
            data-testid="tool-args-editor"
            value={args}
            spellCheck={false}
            rows={Math.min(16, args.split("\n").length + 1)}
            onChange={(event) => setArgs(event.target.value)}
          />
          {typeof parsed === "string" && <div className="approval-error">{parsed}</div>}
        </>
      ) : (
        <pre className="tool-args" data-testid="tool-approval-args">
          {JSON.stringify(request.args, null, 2)}
        </pre>
      )}
      <details>
        <summary>The cell</summary>
        <CodeBlock code={request.code} language={request.language} />
      </details>
      <div className="approval-actions">
        {editing ? (
          <>
            <button
              disabled={busy || typeof parsed === "string"}
              data-testid="run-edited-args"
              onClick={() => typeof parsed !== "string" && onDecide({ action: "edit", args: parsed })}
            >
              Run with these arguments
            </button>
            <button disabled={busy} className="secondary" onClick={() => setEditing(false)}>
              Cancel edit
            </button>
          </>
        ) : (
          <>
            <button disabled={busy} data-testid="approve-tool" onClick={() => onDecide({ action: "approve" })}>
              Approve
            </button>
            <button disabled={busy} className="secondary" data-testid="edit-args" onClick={() => setEditing(true)}>
              Edit arguments…
            </button>
          </>
        )}
        <RejectControls busy={busy} reasonTestId="tool-reject-reason" buttonTestId="reject-tool" onReject={onDecide} />
      </div>
    </div>
  );
}
