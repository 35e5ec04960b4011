import { useState } from "react";
import { CodeBlock } from "./code-block.js";
import { RejectControls } from "./reject-controls.js";

/** The value of a CodeAct approval interrupt (src/graph/nodes/route.ts). */
export interface ApprovalRequest {
  type: "codeact_approval";
  code: string;
  language: "javascript" | "python";
  error?: string;
}

/** Resume values the approval accepts. */
export type ApprovalDecision =
  | { action: "approve" }
  | { action: "edit"; code: string }
  | { action: "reject"; reason?: string };

export function isApprovalRequest(value: unknown): value is ApprovalRequest {
  const request = value as Partial<ApprovalRequest> | null;
  return typeof request === "object" && request !== null && request.type === "codeact_approval" && typeof request.code === "string";
}

interface Props {
  request: ApprovalRequest;
  busy: boolean;
  onDecide: (decision: ApprovalDecision) => void;
}

/** Shows the code waiting for approval; approve it, run an edited version, or reject it with a reason. */
export function ApprovalPanel({ request, busy, onDecide }: Props) {
  const [editing, setEditing] = useState(false);
  const [code, setCode] = useState(request.code);
  return (
    <div className="approval" data-testid="approval">
      <div className="approval-title">The agent wants to run this {request.language === "python" ? "Python" : "JavaScript"} code</div>
      {request.error && <div className="approval-error">{request.error}</div>}
      {editing ? (
        <textarea
          className="approval-editor"
          data-testid="approval-editor"
          value={code}
          spellCheck={false}
          rows={Math.min(20, code.split("\n").length + 2)}
          onChange={(event) => setCode(event.target.value)}
        />
      ) : (
        <CodeBlock code={request.code} language={request.language} />
      )}
      <div className="approval-actions">
        {editing ? (
          <>
            <button disabled={busy || code.trim() === ""} data-testid="run-edited" onClick={() => onDecide({ action: "edit", code })}>
              Run edited code
            </button>
            <button disabled={busy} className="secondary" onClick={() => setEditing(false)}>
              Cancel edit
            </button>
          </>
        ) : (
          <>
            <button disabled={busy} data-testid="approve" onClick={() => onDecide({ action: "approve" })}>
              Approve
            </button>
            <button disabled={busy} className="secondary" data-testid="edit" onClick={() => setEditing(true)}>
              Edit…
            </button>
          </>
        )}
        <RejectControls busy={busy} reasonTestId="reject-reason" buttonTestId="reject" onReject={onDecide} />
      </div>
    </div>
  );
}
