import { useState } from "react";

interface Props {
  busy: boolean;
  /** Test ids of the reason field and the button. */
  reasonTestId: string;
  buttonTestId: string;
  onReject: (decision: { action: "reject"; reason?: string }) => void;
}

/** A reason field and a Reject button: the way every approval panel says no. */
export function RejectControls({ busy, reasonTestId, buttonTestId, onReject }: Props) {
  const [reason, setReason] = useState("");
  return (
    <>
      <input
        className="reject-reason"
        data-testid={reasonTestId}
        placeholder="Reason (optional)"
        value={reason}
        onChange={(event) => setReason(event.target.value)}
      />
      <button
        disabled={busy}
        className="danger"
        data-testid={buttonTestId}
        onClick={() => onReject(reason.trim() ? { action: "reject", reason: reason.trim() } : { action: "reject" })}
      >
        Reject
      </button>
    </>
  );
}
