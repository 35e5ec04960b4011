/**
 * Saved definitions (see ExecuteResult.definitions) as they cross a trust
 * boundary: from a sandbox, or back from graph state that may have been
 * edited. Shared by both executors.
 */
import type { CodeDefinition, InstanceLocation, SessionDefinitions } from "./types.js";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
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
