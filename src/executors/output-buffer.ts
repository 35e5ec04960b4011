/**
 * Collects a cell's output within a character budget, keeping the head and
 * the tail (the start shows what ran, the end usually shows how it ended).
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

  toString(): string {
    this.#compactTail();
    const tail = this.#tail.join("");
    if (!this.truncated) return this.#head + tail;
    const cut = this.#total - this.#head.length - tail.length;
    return `${this.#head}\n... [${cut} characters truncated] ...\n${tail}`;
  }

  #compactTail(): void {
    const joined = this.#tail.join("");
    const kept = joined.length > this.#tailBudget ? joined.slice(joined.length - this.#tailBudget) : joined;
    this.#tail = kept ? [kept] : [];
    this.#tailLength = kept.length;
  }
}
