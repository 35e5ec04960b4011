/**
 * Where this folder's modules are loaded from, for the worker script beside
 * them and for loading isolated-vm relative to them.
 */
import { fileURLToPath } from "node:url";
import { ExecutorUnavailableError } from "../errors.js";

/**
 * This module's own file, from a structured V8 stack trace: it works both as
 * ESM (where `import.meta` would be needed) and as CommonJS (`__filename`),
 * which one source cannot otherwise do. Its folder and extension are those of
 * every module here (`.ts` when running from source).
 */
export function moduleFile(): string {
  const original = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  let file: string | undefined;
  try {
    Error.prepareStackTrace = (_error, frames) => frames;
    // one frame is all it reads, and a process started with --stack-trace-limit=0 records none
    Error.stackTraceLimit = 1;
    const frames = new Error().stack as unknown as NodeJS.CallSite[];
    file = frames[0]?.getFileName() ?? undefined;
  } finally {
    Error.prepareStackTrace = original;
    Error.stackTraceLimit = limit;
  }
  if (!file) throw new ExecutorUnavailableError("Cannot locate the isolated-vm executor's files.");
  return file.startsWith("file:") ? fileURLToPath(file) : file;
}
