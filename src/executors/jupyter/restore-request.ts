/**
 * What a request asks a new or replaced kernel to restore: the variables that
 * can be (plain names, JSON-encodable values) apart from the rest, and the
 * notes that tell the model what could not come back; after the restore, what
 * the session holds and the change that reports it.
 */
import type { SessionChange } from "../session-change.js";
import type { JsonValue, SessionDefinitions } from "../types.js";
import { definitionLossNotes, restoredDefinitions } from "../session-definitions.js";
import type { KernelSession, RestoreReport } from "./kernel-session.js";
import { causedChange, restoredChange, type KernelEvent } from "./session-changes.js";

/** A name the snapshot could have produced: the snapshot skips `_`-prefixed names. */
const RESTORABLE_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Variables a request asks to restore, split into those that can be and the rest. */
export function restorable(variables: Record<string, JsonValue>): { accepted: Record<string, JsonValue>; rejected: string[] } {
  const accepted: Record<string, JsonValue> = {};
  const rejected: string[] = [];
  for (const name of Object.keys(variables)) {
    const value = variables[name] as JsonValue;
    let encodable = false;
    try {
      encodable = JSON.stringify(value) !== undefined;
    } catch {
      // Nested too deep for the host's JSON (RangeError), or a cycle.
    }
    if (RESTORABLE_NAME.test(name) && encodable) {
      Object.defineProperty(accepted, name, { value, enumerable: true, writable: true, configurable: true });
    } else {
      rejected.push(name);
    }
  }
  return { accepted, rejected };
}

/** A restore report with the names rejected before the restore counted as failed. */
export function withRejected(report: RestoreReport, rejected: readonly string[]): RestoreReport {
  return { ...report, failed: [...rejected, ...report.failed] };
}

/** Said with every loss of unsaved names in a new kernel: what can travel and what cannot. */
const CANNOT_TRAVEL_NOTE =
  "Imports, top-level functions and classes and plain data travel to a new kernel; closures, generators, open " +
  "files and connections, threads, and objects with slots or non-JSON attributes do not.";

function rejectedNote(names: readonly string[]): string[] {
  return names.length === 0
    ? []
    : ["Some saved names were not restored because they are not plain Python variable names or their value could not be read back; define them again if you need them."];
}

/**
 * After a restore: keeps in the session only what the kernel took back, and
 * says what happened (`event`, or a plain restore when there is none).
 */
export function restoredSessionChange(
  session: KernelSession,
  event: KernelEvent | undefined,
  accepted: Record<string, JsonValue>,
  report: RestoreReport,
  definitions: SessionDefinitions,
  lostBefore: readonly string[] = []
): SessionChange | undefined {
  const failedNames = new Set(report.failed);
  const restoredVariables = Object.keys(accepted).filter((name) => !failedNames.has(name));
  const lostDefinitions = new Set(report.lost.map((entry) => entry.name));
  if (failedNames.size > 0 || lostDefinitions.size > 0) {
    const kept: Record<string, JsonValue> = {};
    for (const name of restoredVariables) if (!lostDefinitions.has(name)) kept[name] = accepted[name] as JsonValue;
    session.variables = kept;
  }
  session.definitions = restoredDefinitions(definitions, report.replayed, (name) => Object.hasOwn(session.variables, name));
  const restored = [...restoredVariables.filter((name) => !lostDefinitions.has(name)), ...report.replayed];
  const lost = new Set([...failedNames, ...lostDefinitions, ...lostBefore]);
  const notes = [
    ...rejectedNote([...failedNames]),
    ...definitionLossNotes(report.lost),
    ...(lostBefore.length > 0 ? [CANNOT_TRAVEL_NOTE] : []),
  ];
  return event === undefined ? restoredChange(restored, lost, notes) : causedChange(event, restored, lost, notes);
}
