/** Stops a `langgraphjs dev` process group, letting its API server write its threads to disk first. */
export declare function stopDevServer(group: number, options?: { timeoutMs?: number }): Promise<void>;
