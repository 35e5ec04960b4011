/**
 * What happened to a Python session, as data for `ExecuteResult.sessionChange`
 * (the observation renders it). One constructor per event, so the causes read
 * the same wherever the event is detected.
 */
import type { SessionChange } from "../session-change.js";

/** Longest name kept in a notice: Python allows identifiers of any length. */
const MAX_NAME_CHARS = 100;
/** Most names a notice carries; the renderer counts what it does not spell out. */
const MAX_NAMES = 1_000;

/** Why a session is not in the kernel state the previous cell left. */
export type KernelEvent =
  /** The resume token's kernel was alive but had been restarted (its memory was empty). */
  | "kernel-restarted"
  /** The resume token's kernel no longer exists. */
  | "kernel-gone"
  /** Found dead before the cell started. */
  | "kernel-died-between-cells"
  /** Died or was lost while the cell ran. */
  | "kernel-died"
  | "connection-lost"
  /** Ignored the interrupt after a timeout or an abort. */
  | "interrupt-ignored"
  /** Could not answer after the cell (a wedged kernel). */
  | "kernel-wedged";

const CAUSES: Record<KernelEvent, string> = {
  "kernel-restarted": "the Python kernel had been restarted, so its state was lost",
  "kernel-gone": "the previous Python kernel no longer exists, so a new one was started",
  "kernel-died-between-cells": "the previous Python kernel had died, so a new one was started",
  "kernel-died": "the Python kernel died while running this code and was replaced by a new one",
  "connection-lost": "the Python kernel was lost while running this code and was replaced by a new one",
  "interrupt-ignored": "the kernel did not stop when interrupted, so it was restarted",
  "kernel-wedged": "the kernel stopped answering after this code ran, so it was restarted",
};

function names(list: Iterable<string>): string[] {
  const result: string[] = [];
  for (const name of list) {
    if (result.length >= MAX_NAMES) break;
    result.push(name.length > MAX_NAME_CHARS ? `${name.slice(0, MAX_NAME_CHARS)}…` : name);
  }
  return result;
}

/** The change a kernel event made: always worth telling the model. */
export function causedChange(
  event: KernelEvent,
  restored: Iterable<string>,
  lost: Iterable<string> = [],
  notes: string[] = []
): SessionChange {
  return { cause: CAUSES[event], restored: names(restored), lost: names(lost), ...(notes.length > 0 && { notes }) };
}

/** A new session restored from the request's snapshot; undefined when there was nothing to say. */
export function restoredChange(
  restored: Iterable<string>,
  lost: Iterable<string> = [],
  notes: string[] = []
): SessionChange | undefined {
  const change: SessionChange = { restored: names(restored), lost: names(lost), ...(notes.length > 0 && { notes }) };
  return change.restored.length === 0 && change.lost.length === 0 && notes.length === 0 ? undefined : change;
}

/** Adds a note to a change (or makes one that only carries notes). */
export function withNote(change: SessionChange | undefined, note: string): SessionChange {
  return change === undefined
    ? { restored: [], lost: [], notes: [note] }
    : { ...change, notes: [...(change.notes ?? []), note] };
}
