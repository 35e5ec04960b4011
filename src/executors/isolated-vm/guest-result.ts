/**
 * The guest runtime's reply for one cell, checked on the host: it crossed a
 * trust boundary, so only the expected shapes are kept.
 */
import type { CodeDefinition, InstanceLocation, SessionDefinitions } from "../types.js";

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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The reply crossed a trust boundary: accept only the shapes we expect. */
export function parseGuestResult(reply: unknown): { run: GuestRunResult; chunks: number } {
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
  return { run, chunks: typeof record.chunks === "number" ? record.chunks : 0 };
}

/** Definitions from the guest, or from graph state (either may be junk): the well-formed part. */
export function parseDefinitions(value: unknown): SessionDefinitions {
  const record = isRecord(value) ? value : {};
  const code: CodeDefinition[] = Array.isArray(record.code)
    ? record.code.flatMap((entry: unknown) =>
        isRecord(entry) && typeof entry.name === "string" && typeof entry.source === "string"
          ? [{ name: entry.name, source: entry.source }]
          : []
      )
    : [];
  const instances: Record<string, InstanceLocation[]> = {};
  if (isRecord(record.instances)) {
    for (const [name, locations] of Object.entries(record.instances)) {
      if (!Array.isArray(locations)) continue;
      const valid = locations.flatMap((location: unknown) =>
        isRecord(location) && typeof location.className === "string" && Array.isArray(location.path) &&
        location.path.every((step) => typeof step === "string" || typeof step === "number")
          ? [{ path: location.path as Array<string | number>, className: location.className }]
          : []
      );
      if (valid.length > 0) Object.defineProperty(instances, name, { value: valid, enumerable: true, configurable: true, writable: true });
    }
  }
  return Object.keys(instances).length > 0 ? { code, instances } : { code };
}

/** True when there is nothing to keep. */
export function noDefinitions(definitions: SessionDefinitions | undefined): boolean {
  return !definitions || (definitions.code.length === 0 && Object.keys(definitions.instances ?? {}).length === 0);
}
