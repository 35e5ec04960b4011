/**
 * How the bundled program tells the bin's compile cache (a separate copy of
 * the code, see compile-cache.ts) that this run is worth caching: a run
 * that got as far as a task has compiled what later runs need, where
 * `--help` or a usage error would leave a cache of the argument parser only.
 * A registered symbol, because the loader and the bundle share no module.
 *
 * @module
 */
const KEEP_COMPILED_CODE = Symbol.for("langgraph-codeact.keep-compiled-code");

/** Installed by the loader: called once a run has reached its task. */
export function onKeepCompiledCode(callback: () => void): void {
  (globalThis as Record<symbol, unknown>)[KEEP_COMPILED_CODE] = callback;
}

/** Called by the program when it starts a task; does nothing when no loader listens. */
export function keepCompiledCode(): void {
  const callback = (globalThis as Record<symbol, unknown>)[KEEP_COMPILED_CODE];
  if (typeof callback === "function") callback();
}
