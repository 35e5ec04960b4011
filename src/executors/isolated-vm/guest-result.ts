/**
 * The guest runtime's reply for one cell, checked on the host: it crossed a
 * trust boundary, so only the expected shapes are kept.
 */
import { isRecord } from "../../shared/is-record.js";
import type { SessionDefinitions } from "../types.js";
import { parseDefinitions } from "../session-definitions.js";

/** What the guest runtime reports for one cell. */
export interface GuestRunResult {
  value?: string;
  error?: { name: string; message: string; stack: string };
  /** JSON text of each saveable user global, by name. */
  variablesJson: Record<string, string>;
  unsavedVariables: string[];
  /** The snapshot could not be taken (model code broke what it needs): keep the last one. */
  snapshotFailed?: boolean;
  /** Functions and classes in effect, and the class instances among the variables. */
  definitions: SessionDefinitions;
  /** Tool calls still running when the cell ended: their results are never delivered. */
  abandonedToolCalls: number;
}

/** The reply crossed a trust boundary: accept only the shapes we expect. */
export function parseGuestResult(reply: unknown): { run: GuestRunResult; chunks: number; pendingCalls: number } {
  const record = isRecord(reply) ? reply : {};
  const run: GuestRunResult = { variablesJson: {}, unsavedVariables: [], definitions: { code: [] }, abandonedToolCalls: 0 };
  if (typeof record.value === "string") run.value = record.value;
  if (isRecord(record.error)) {
    run.error = {
      name: typeof record.error.name === "string" ? record.error.name : "Error",
      message: typeof record.error.message === "string" ? record.error.message : "",
      stack: typeof record.error.stack === "string" ? record.error.stack : "",
    };
  }
  if (record.snapshotFailed === true) run.snapshotFailed = true;
  const snapshot = isRecord(record.snapshot) ? record.snapshot : {};
  if (isRecord(snapshot.saved)) {
    for (const [name, json] of Object.entries(snapshot.saved)) {
      if (typeof json === "string") run.variablesJson[name] = json;
    }
  }
  if (Array.isArray(snapshot.unsaved)) {
    run.unsavedVariables = snapshot.unsaved.filter((name): name is string => typeof name === "string");
  }
  run.definitions = parseDefinitions(snapshot.definitions);
  const pendingCalls = typeof record.pendingCalls === "number" && record.pendingCalls > 0 ? Math.floor(record.pendingCalls) : 0;
  return { run, chunks: typeof record.chunks === "number" ? record.chunks : 0, pendingCalls };
}
