/**
 * The one way text is cut to a budget in this package: head and tail kept,
 * one marker between them that says how much was cut. Executors, observations
 * and traces all use it, so a cut reads the same wherever it is seen.
 */

/**
 * Collects a cell's output within a character budget, keeping the head and
 * the tail (the start shows what ran, the end usually shows how it ended).
 * Memory stays bounded by the budget however much a cell prints; every
 * executor caps its output with it, so the marker reads the same everywhere.
 */
export class OutputBuffer {
  readonly #maxChars: number;
  readonly #headBudget: number;
  readonly #tailBudget: number;
  #head = "";
  #tail: string[] = [];
  #tailLength = 0;
  #total = 0;

  constructor(maxChars: number) {
    this.#maxChars = Math.max(0, Math.floor(maxChars));
    this.#headBudget = Math.ceil(this.#maxChars / 2);
    this.#tailBudget = this.#maxChars - this.#headBudget;
  }

  /** Characters appended so far, including any that will be cut. */
  get totalChars(): number {
    return this.#total;
  }

  get truncated(): boolean {
    return this.#total > this.#maxChars;
  }

  append(text: string): void {
    this.#total += text.length;
    const room = this.#headBudget - this.#head.length;
    if (room > 0) {
      this.#head += text.slice(0, room);
      text = text.slice(room);
    }
    if (text.length === 0 || this.#tailBudget === 0) return;
    this.#tail.push(text);
    this.#tailLength += text.length;
    // compact lazily so a flood of small chunks stays linear
    if (this.#tailLength > 2 * this.#tailBudget + 1024) this.#compactTail();
  }

  /** Keeps the head and tail of `text` within `maxChars`, as a buffer would. */
  static truncate(text: string, maxChars: number): ClippedText {
    return clipText(text, maxChars);
  }

  toString(): string {
    this.#compactTail();
    let head = this.#head;
    let tail = this.#tail.join("");
    if (!this.truncated) return head + tail;
    // The marker counts against the budget when the budget has room for it
    // (sized with the longest count it can show), so output stays within
    // maxChars; tiny budgets keep their head and tail and exceed it instead.
    const markerChars = marker(this.#total).length;
    if (this.#maxChars >= 2 * markerChars) {
      const keep = this.#maxChars - markerChars;
      head = head.slice(0, Math.ceil(keep / 2));
      tail = tail.slice(tail.length - (keep - head.length));
    }
    return head + marker(this.#total - head.length - tail.length) + tail;
  }

  #compactTail(): void {
    const joined = this.#tail.join("");
    const kept = joined.length > this.#tailBudget ? joined.slice(joined.length - this.#tailBudget) : joined;
    this.#tail = kept ? [kept] : [];
    this.#tailLength = kept.length;
  }
}

/** Text cut to a budget, and whether anything was cut. */
export interface ClippedText {
  text: string;
  truncated: boolean;
}

/** `text` within `maxChars`: head and tail kept, the marker between them. */
export function clipText(text: string, maxChars: number): ClippedText {
  if (text.length <= maxChars) return { text, truncated: false };
  const buffer = new OutputBuffer(maxChars);
  buffer.append(text);
  return { text: buffer.toString(), truncated: true };
}

/** {@link clipText}'s text alone. */
export function clip(text: string, maxChars: number): string {
  return clipText(text, maxChars).text;
}

/** The marker that stands for `cutChars` characters cut out of a text. */
export function truncationMarker(cutChars: number): string {
  return marker(cutChars);
}

function marker(cutChars: number): string {
  return `\n... [${cutChars} characters truncated] ...\n`;
}
