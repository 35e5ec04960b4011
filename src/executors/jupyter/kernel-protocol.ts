/**
 * The Jupyter messaging protocol as this client uses it: message shapes and
 * the ways a kernel can be lost. Shared by the REST client, the connection
 * and the cell-output collector, so none of them imports another for types.
 */

/** Message protocol version we speak (ipykernel 6 answers 5.3). */
export const PROTOCOL_VERSION = "5.3";

/** A kernel as `GET /api/kernels/{id}` describes it. */
export interface KernelModel {
  id: string;
  name: string;
  execution_state?: string;
  last_activity?: string;
  connections?: number;
}

/** The header of a Jupyter message. */
export interface MessageHeader {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}

export type ChannelName = "shell" | "iopub" | "stdin" | "control";

/** A Jupyter message as carried by the JSON WebSocket protocol. */
export interface KernelMessage {
  channel: ChannelName;
  header: MessageHeader;
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
  buffers?: unknown[];
}

/** The kernel no longer exists on the server. */
export class KernelGoneError extends Error {
  constructor(readonly kernelId: string) {
    super(`Kernel ${kernelId} no longer exists.`);
    this.name = "KernelGoneError";
  }
}

/** The kernel died (or was restarted by the server) while a request waited. */
export class KernelDiedError extends Error {
  constructor(readonly executionState: string) {
    super(`The kernel reported execution_state "${executionState}".`);
    this.name = "KernelDiedError";
  }
}

/** The WebSocket dropped and could not be re-opened. */
export class ConnectionLostError extends Error {
  constructor(cause: unknown) {
    super("The kernel WebSocket connection was lost.", { cause });
    this.name = "ConnectionLostError";
  }
}

/** The kernel died, vanished or cannot be reached over its WebSocket any more. */
export function isKernelLoss(error: unknown): boolean {
  return (
    error instanceof KernelDiedError ||
    error instanceof KernelGoneError ||
    error instanceof ConnectionLostError
  );
}
