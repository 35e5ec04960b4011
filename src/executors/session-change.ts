/**
 * What happened to a session before or while a cell ran — a new session
 * restored from a snapshot, a restart after a failure, a replaced kernel —
 * as data. Executors report it; the observation renders it to words once
 * ({@link describeSessionChange}), so no module rewrites another's sentence.
 */

/** See {@link ExecuteResult.sessionChange}. */
export interface SessionChange {
  /**
   * Why the cell did not run in the session the previous cell ran in, in
   * words for the model ("the sandbox was restarted after a timeout").
   * Absent when a new session simply started from a saved snapshot.
   */
  cause?: string;
  /** Names brought back from the saved snapshot. */
  restored: string[];
  /** Names that existed but could not be brought back (they must be defined again). */
  lost: string[];
  /** Further sentences for the model ("the sandbox could not be restarted yet; …"). */
  notes?: string[];
}

/**
 * What a result says happened to its session, in words: its
 * `sessionChange` rendered, else the `sessionNotice` text of an executor
 * that only has words; undefined when nothing happened.
 */
export function sessionNoticeText(result: { sessionChange?: SessionChange; sessionNotice?: string }): string | undefined {
  if (result.sessionChange !== undefined) return describeSessionChange(result.sessionChange);
  return result.sessionNotice || undefined;
}

/** Longest list of names a notice spells out; the rest are counted. */
export const MAX_NOTICE_NAMES = 40;
/** Longest name a notice spells out in full (a name can be any length). */
const MAX_NOTICE_NAME_CHARS = 80;

/** The change in one or two sentences for the model. */
export function describeSessionChange(change: SessionChange): string {
  const sentences: string[] = [];
  if (change.cause !== undefined) {
    const restored =
      change.restored.length > 0
        ? `variables ${nameList(change.restored)} are restored from the last snapshot`
        : "no variables to restore";
    const lost = change.lost.length > 0 ? `; ${nameList(change.lost)} could not be restored and must be defined again.` : ".";
    sentences.push(`${capitalise(change.cause)}: ${restored}${lost}`);
  } else {
    if (change.restored.length > 0) {
      sentences.push(`New session: restored variables ${nameList(change.restored)} from the saved snapshot.`);
    }
    if (change.lost.length > 0) {
      sentences.push(`Not restored: ${nameList(change.lost)}; define them again if you need them.`);
    }
  }
  sentences.push(...(change.notes ?? []));
  return sentences.join(" ");
}

/**
 * One change from two that happened in a row (a process replaced, then the
 * new session restored): the later cause wins when both have one; a name is
 * restored if either restored it and the later did not lose it, lost if
 * either lost it and the later did not restore it.
 */
export function combineSessionChanges(first: SessionChange | undefined, then: SessionChange | undefined): SessionChange | undefined {
  if (first === undefined) return then;
  if (then === undefined) return first;
  const lostLater = new Set(then.lost);
  const restoredLater = new Set(then.restored);
  const cause = then.cause ?? first.cause;
  const notes = [...(first.notes ?? []), ...(then.notes ?? [])];
  return {
    ...(cause !== undefined && { cause }),
    restored: [...new Set([...first.restored.filter((name) => !lostLater.has(name)), ...then.restored])],
    lost: [...new Set([...first.lost, ...then.lost])].filter((name) => !restoredLater.has(name)),
    ...(notes.length > 0 && { notes }),
  };
}

function nameList(names: readonly string[]): string {
  const shown = names.slice(0, MAX_NOTICE_NAMES).map(shortName).join(", ");
  return names.length <= MAX_NOTICE_NAMES ? shown : `${shown} and ${names.length - MAX_NOTICE_NAMES} more`;
}

function shortName(name: string): string {
  return name.length <= MAX_NOTICE_NAME_CHARS ? name : `${name.slice(0, MAX_NOTICE_NAME_CHARS)}… (${name.length} characters)`;
}

function capitalise(text: string): string {
  return (text[0]?.toUpperCase() ?? "") + text.slice(1);
}
