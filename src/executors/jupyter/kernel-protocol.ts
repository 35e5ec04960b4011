/**
 * The Jupyter kernel messaging protocol as this client speaks it: message
 * and kernel shapes, and the errors a kernel connection reports.
 */

import { ExecutorProtocolError } from "../errors.js";

/** Message protocol version we speak (ipykernel 6 answers 5.3). */
export const PROTOCOL_VERSION = "5.3";
const KERNEL_ID_PATTERN = /^[A-Za-z0-9_-]+$/;

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

/** The kernel id must be safe to put into a URL path. */
export function assertKernelId(kernelId: string): void {
  if (!KERNEL_ID_PATTERN.test(kernelId)) {
    throw new ExecutorProtocolError(`Invalid kernel id ${JSON.stringify(kernelId)}.`);
  }
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
