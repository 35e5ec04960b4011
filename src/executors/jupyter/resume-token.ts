/**
 * The resume token of a Jupyter session: the kernel id, kept in graph state
 * so another process can reconnect to the still-living kernel.
 */

export function formatResumeToken(kernelId: string): string {
  return JSON.stringify({ kernelId });
}

/** The kernel id in a token; a bare id (an older token form) is accepted too. */
export function parseResumeToken(token: string | undefined): string | undefined {
  if (!token) return undefined;
  try {
    const parsed = JSON.parse(token) as { kernelId?: unknown } | null;
    return typeof parsed?.kernelId === "string" ? parsed.kernelId : undefined;
  } catch {
    return token;
  }
}
