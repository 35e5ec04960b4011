/**
 * The Jupyter executor's resume token: which kernel a thread's session lives
 * in, kept in graph state so another process can reattach to it.
 */

/** The token for a session in `kernelId`. */
export function resumeTokenFor(kernelId: string): string {
  return JSON.stringify({ kernelId });
}

/** The kernel id in a token (a bare id is accepted too), or undefined. */
export function kernelIdOf(token: string | undefined): string | undefined {
  if (!token) return undefined;
  try {
    const parsed = JSON.parse(token) as { kernelId?: unknown };
    return typeof parsed.kernelId === "string" ? parsed.kernelId : undefined;
  } catch {
    return token;
  }
}
