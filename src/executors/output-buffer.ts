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
  static truncate(text: string, maxChars: number): { text: string; truncated: boolean } {
    const buffer = new OutputBuffer(maxChars);
    buffer.append(text);
    return { text: buffer.toString(), truncated: buffer.truncated };
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

function marker(cutChars: number): string {
  return `\n... [${cutChars} characters truncated] ...\n`;
}
