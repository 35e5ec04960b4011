/**
 * Saved definitions (see ExecuteResult.definitions) as they cross a trust
 * boundary: from a sandbox, or back from graph state that may have been
 * edited. Shared by both executors.
 */
import { isRecord } from "../shared/is-record.js";
import type { CodeDefinition, InstanceLocation, SessionDefinitions } from "./types.js";
import { clip } from "../shared/clip.js";

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

/**
 * What a new session holds after a restore: the definitions that were
 * replayed, and the instance locations of the variables it kept.
 */
export function restoredDefinitions(
  definitions: SessionDefinitions,
  replayed: readonly string[],
  hasVariable: (name: string) => boolean
): SessionDefinitions {
  const instances = definitions.instances && Object.entries(definitions.instances).filter(([name]) => hasVariable(name));
  return {
    code: definitions.code.filter((definition) => replayed.includes(definition.name)),
    ...(instances && { instances: Object.fromEntries(instances) }),
  };
}

/** One note per definition or instance that could not come back and says why (at most five). */
export function definitionLossNotes(lost: ReadonlyArray<{ name: string; reason: string }>): string[] {
  return lost
    .filter((entry) => entry.reason)
    .slice(0, 5)
    .map((entry) => `${entry.name}: ${clip(entry.reason, 200)}.`);
}

