/**
 * Bringing a session back in a new isolate: its JSON variables, then its
 * functions and classes replayed, then the class instances; what could not
 * come back is named, with the reason, in the session change.
 */
import { combineSessionChanges, type SessionChange } from "../session-change.js";
import type { SessionDefinitions } from "../types.js";
import { restartCause } from "./cell-failures.js";
import { CANNOT_TRAVEL_NOTE } from "./cell-result.js";
import { definitionLossNotes, noDefinitions, restoredDefinitions } from "../session-definitions.js";
import { SessionFailedError, type IsolateSession, type SessionFailure } from "./isolate-session.js";
import type { SessionSlot } from "./session-slots.js";

/**
 * A new isolate for the slot, restored from `entries` and `definitions`
 * (replaying model code, bounded by `timeoutMs`; if that fails, the data
 * alone); records what came back and what did not in `log`.
 */
export async function startRestoredSession(options: {
  slot: SessionSlot;
  entries: Map<string, string>;
  definitions: SessionDefinitions;
  log: { change?: SessionChange };
  after?: SessionFailure | undefined;
  timeoutMs: number;
  /** Whether a saved source is exactly one function or class (the transform's check; state can be edited by hand). */
  isSingleDefinition: (source: string) => boolean;
  newIsolate: () => Promise<IsolateSession>;
}): Promise<IsolateSession> {
  const { slot, entries, definitions, log, after, timeoutMs, isSingleDefinition, newIsolate } = options;
  slot.session = undefined;
  let session = await newIsolate();
  slot.session = session;
  const malformed = definitions.code.filter((definition) => !isSingleDefinition(definition.source));
  const checked = malformed.length === 0 ? definitions : { ...definitions, code: definitions.code.filter((definition) => !malformed.includes(definition)) };
  const replay = noDefinitions(checked) ? undefined : checked;
  let outcome: { restored: string[]; lost: Array<{ name: string; reason: string }> };
  const notes: string[] = [];
  try {
    outcome = entries.size > 0 || replay ? await session.restore(Object.fromEntries(entries), replay, timeoutMs) : { restored: [], lost: [] };
  } catch (caught) {
    // Replaying model code can time out or exhaust memory: start again with the data alone.
    if (!replay || !(caught instanceof SessionFailedError) || caught.failure === "closed") throw caught;
    slot.session = undefined;
    session = await newIsolate();
    slot.session = session;
    outcome = await session.restore(Object.fromEntries(entries));
    const reason = caught.failure === "timeout" ? "timed out" : caught.failure === "memory" ? "ran out of memory" : "crashed the sandbox";
    notes.push(`Replaying the saved functions and classes ${reason}; they were not restored.`);
    outcome.lost.push(...replay.code.map((definition) => ({ name: definition.name, reason: "" })));
  }
  const { restored } = outcome;
  const failed = [...outcome.lost, ...malformed.map((definition) => ({ name: definition.name, reason: "its saved source is not one function or class" }))];
  slot.variablesJson = new Map(restored.flatMap((name) => {
    const json = entries.get(name);
    return json === undefined ? [] : [[name, json] as const];
  }));
  const failedNames = new Set(failed.map((entry) => entry.name));
  slot.definitions = restoredDefinitions(definitions, restored, (name) => slot.variablesJson.has(name));
  const notRestored = [...entries.keys()].filter((name) => !restored.includes(name) && !failedNames.has(name));
  const lost = [...(after ? slot.unsavedVariables : []), ...notRestored, ...failedNames];
  notes.push(...definitionLossNotes(failed));
  if (lost.length > failedNames.size) notes.push(CANNOT_TRAVEL_NOTE);
  slot.unsavedVariables = [];
  if (after !== undefined || restored.length > 0 || lost.length > 0) {
    log.change = combineSessionChanges(log.change, {
      ...(after !== undefined && { cause: restartCause(after === "closed" ? "crash" : after) }),
      restored,
      lost,
      ...(notes.length > 0 && { notes: notes.slice(0, 6) }),
    });
  }
  return session;
}
