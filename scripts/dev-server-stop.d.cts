/** Stops a `langgraphjs dev` process group, letting its API server write its threads to disk first. */
export declare function stopDevServer(group: number, options?: { timeoutMs?: number }): Promise<void>;
/** Kills a `langgraphjs dev` process group at once. */
export declare function killDevServer(group: number): void;
