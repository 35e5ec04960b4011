/**
 * The one timeout helper: every "wait for this, but not longer than that"
 * in the package goes through it, so no timer is left armed after the race.
 */

/** What {@link withTimeout} resolves to when the time ran out first. */
export const TIMED_OUT: unique symbol = Symbol("codeact.timedOut");

/**
 * `promise`'s value, or {@link TIMED_OUT} after `timeoutMs`. The timer is
 * cleared as soon as either side settles and never keeps the process alive.
 * A rejection of `promise` rejects the result (callers decide what it means).
 */
export async function withTimeout<T>(promise: PromiseLike<T>, timeoutMs: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, timeoutMs));
    timer.unref();
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves after `ms` without keeping the process alive. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
