/**
 * The one place the native `isolated-vm` module is loaded. Every other file
 * imports it from here, so a difference between its versions is handled once.
 *
 * `isolated-vm` is an optional peer dependency with the range
 * {@link SUPPORTED_ISOLATED_VM_RANGE}: each major builds for different Node
 * versions (see {@link ISOLATED_VM_MAJOR_BY_NODE_MAJOR}), and npm picks the
 * newest version whose `engines` accept the running Node, so
 * `npm install isolated-vm` installs the right one on each.
 *
 * What differs between 5.0.4, 6.2.0 and 7.0.1 (checked against their
 * packages): nothing this package can see. Their `isolated-vm.d.ts` files are
 * byte-identical; `Isolate` (`memoryLimit`, `onCatastrophicError`, `cpuTime`,
 * `wallTime`, `isDisposed`), `Context`, `Reference`, `ExternalCopy` and
 * `compileScript`'s cached data behave the same under our tests. The native
 * changes follow V8: 6 declares getters as prototype accessors and refuses to
 * run guest JavaScript while making an `ExternalCopy` (we only copy plain
 * data); 7 supports V8 14 and runs a microtask checkpoint after promises
 * cross isolates. All three need Node started with `--no-node-snapshot`.
 *
 * @module
 */
import { createRequire } from "node:module";
import type IsolatedVm from "isolated-vm";
import { ExecutorUnavailableError } from "../errors.js";
import { moduleFile } from "./module-file.js";

/**
 * Loads the native module, or throws one error that says what is missing
 * and how to install it (a raw "Cannot find module './out/isolated_vm'"
 * tells a user nothing).
 */
function loadIsolatedVm(): typeof IsolatedVm {
  try {
    return createRequire(moduleFile())("isolated-vm") as typeof IsolatedVm;
  } catch (error) {
    throw new ExecutorUnavailableError(isolatedVmMissingMessage(error), { cause: error });
  }
}

/** What to tell a user whose isolated-vm cannot be loaded. */
export function isolatedVmMissingMessage(cause: unknown): string {
  const reason = cause instanceof Error ? cause.message.split("\n")[0] : String(cause);
  const major = isolatedVmMajorForNode();
  return (
    `The isolated-vm native module could not be loaded (${reason}). The JavaScript sandbox needs it: ` +
    `install it with \`npm install isolated-vm${major === undefined ? "" : `@${major}`}\`. ` +
    "On Node 20 it is compiled from source, which needs python3, make and a C++ compiler " +
    "(Debian: apt-get install python3 make g++); if it was installed with --ignore-scripts, run `npm rebuild isolated-vm`."
  );
}

const ivm = loadIsolatedVm();

export default ivm;
export { ivm };

/** The `isolated-vm` versions this package supports (its peer dependency range). */
export const SUPPORTED_ISOLATED_VM_RANGE = "^5.0.4 || ^6.0.0 || ^7.0.0";

/**
 * The `isolated-vm` major for each Node major we test. 5 has no prebuilt
 * binaries that install offline and compiles from source (about two minutes,
 * needs python3, make and a C++ compiler); 6 ships prebuilt binaries for
 * Node 22 and 24; 7 for Node 24 and 25.
 */
export const ISOLATED_VM_MAJOR_BY_NODE_MAJOR: Readonly<Record<number, number>> = {
  20: 5,
  22: 6,
  24: 7,
};

/**
 * The `isolated-vm` major to install on a Node version: the newest one that
 * supports it, as npm picks. `undefined` for Node versions below 20.
 */
export function isolatedVmMajorForNode(nodeVersion: string = process.versions.node): number | undefined {
  const nodeMajor = Number.parseInt(nodeVersion.replace(/^v/, ""), 10);
  if (!Number.isFinite(nodeMajor) || nodeMajor < 20) return undefined;
  if (nodeMajor >= 24) return 7;
  return nodeMajor >= 22 ? 6 : 5;
}

/**
 * A compiled script with the cached-data fields isolated-vm sets on it. The
 * typings (the same in 5, 6 and 7) omit `cachedDataRejected`, which
 * `compileScript` sets when V8 refused the supplied `cachedData`.
 */
export type CompiledScript = IsolatedVm.Script & IsolatedVm.CachedDataResult & { cachedDataRejected?: boolean };
