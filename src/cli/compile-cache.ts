/**
 * Runs the bundled `codeact` program with V8's compiled code kept between
 * runs. Compiling the bundle and the functions a run first calls is ~100 ms
 * of every start; with the code cache it is read back instead.
 *
 * Node 22.1 and later keep the cache themselves (`module.enableCompileCache`).
 * Node 20 has no such switch, so there the bundle is compiled as a
 * `vm.Script` handed its own earlier code cache. That is the same
 * compilation Node's CommonJS loader does (same context, same `require`),
 * only with `cachedData`: no sandbox is involved or intended. The build
 * leaves no `import()` in the bundle (a script's needs an experimental hook).
 *
 * Both keep the cache in a folder of the temp directory that only this user
 * may write, checked before each use: compiled code from a folder others can
 * write would run as ours (Node's own default folder is shared and
 * unchecked). On Node 20 a cache is written after the first run that reaches
 * a task (see compile-cache-signal.ts), is named by the bundle's content,
 * carries a checksum of its data, and is written anew when V8 rejects it.
 * It is an optimisation and never a reason to fail: anything wrong with it
 * (unwritable, damaged, from another Node) means compiling afresh.
 * `NODE_DISABLE_COMPILE_CACHE=1` turns it off, as it does Node's own;
 * `NODE_DEBUG=codeact` says what it did.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { debuglog } from "node:util";
import { Script } from "node:vm";
import { onKeepCompiledCode } from "./compile-cache-signal.js";

const debug = debuglog("codeact");
/** A cache file not read for this long is removed when another is written. */
const STALE_AFTER_MS = 7 * 24 * 60 * 60 * 1000;
/** A half-written cache file this old was left by a run that was killed while writing it. */
const ABANDONED_AFTER_MS = 60 * 60 * 1000;

/** Node 22.1+: the built-in compile cache (absent from Node 20's module API and types). */
type EnableCompileCache = (directory?: string) => { status: number; message?: string; directory?: string };

/** Loads the CommonJS bundle `file` as the program, through the compile cache where it can. */
export function runBundled(file: string): void {
  const enable = (Module as unknown as { enableCompileCache?: EnableCompileCache }).enableCompileCache;
  if (compileCacheDisabled()) {
    debug("compile cache: off (NODE_DISABLE_COMPILE_CACHE)");
  } else if (enable === undefined) {
    runWithScriptCache(file);
    return;
  } else {
    // Node's default folder is shared by every user of the temp directory
    // and not checked: ours is (a folder the user chose is the user's call).
    const chosen = process.env["NODE_COMPILE_CACHE"];
    const folder = chosen !== undefined && chosen !== "" ? chosen : cacheFolder();
    if (folder !== undefined) {
      const result = enable(folder);
      debug("compile cache: Node's own, status %d, in %s", result.status, result.directory ?? "(none)");
    }
  }
  createRequire(file)(file);
}

/**
 * The Node 20 path (exported for its tests, which run on every Node):
 * compile as Node's loader would, with `cachedData` from the previous run.
 */
export function runWithScriptCache(file: string): void {
  const require = createRequire(file);
  const bytes = readFileSync(file);
  const source = stripShebang(bytes.toString("utf8"));
  const cacheFile = cacheFileFor(file, bytes);
  const cached = cacheFile === undefined ? undefined : readCache(cacheFile);
  const script = new Script(Module.wrap(source), {
    filename: file,
    ...(cached !== undefined && { cachedData: cached }),
  });
  const accepted = cached !== undefined && script.cachedDataRejected !== true;
  debug("compile cache: %s", cached === undefined ? "none yet" : accepted ? "accepted" : "rejected");
  if (cacheFile !== undefined && !accepted) {
    // Made at exit, so it holds every function the run compiled, not only the
    // top level (~35 ms, so only when there is none yet and only after a run
    // that reached a task, not --help).
    let keep = false;
    onKeepCompiledCode(() => (keep = true));
    process.once("exit", () => {
      if (keep) writeCache(cacheFile, () => script.createCachedData());
      else debug("compile cache: not written (the run did not reach a task)");
    });
  }
  const moduleObject = { exports: {}, filename: file, id: file, loaded: false };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(moduleObject.exports, moduleObject.exports, require, moduleObject, file, dirname(file));
  moduleObject.loaded = true;
}

function compileCacheDisabled(): boolean {
  const value = process.env["NODE_DISABLE_COMPILE_CACHE"];
  return value !== undefined && value !== "" && value !== "0";
}

/** This user's cache folder in the temp directory, or undefined when it is missing and cannot be made safe. */
function cacheFolder(): string | undefined {
  try {
    return ownedFolder(join(tmpdir(), `codeact-compile-cache-${process.getuid?.() ?? "user"}`));
  } catch (error) {
    debug("compile cache: not used (%s)", error instanceof Error ? error.message : String(error));
    return undefined;
  }
}

/**
 * The cache file for this bundle's content under this Node and these flags,
 * or undefined when no safe folder is at hand. V8 checks its own version and
 * flags but the source only by length, so the name carries a hash of the
 * content: any change, whatever its size or mtime, gets a new file. Its
 * prefix (path, Node, flags) groups the caches a rebuild replaces, so Node
 * versions or flag sets used in turn keep their own.
 */
function cacheFileFor(file: string, bytes: Buffer): string | undefined {
  const folder = cacheFolder();
  if (folder === undefined) return undefined;
  const flags = [process.execArgv.join(" "), process.env["NODE_OPTIONS"] ?? ""].join("\0");
  const prefix = hash([file, process.version, process.arch, flags].join("\0"));
  return join(folder, `${prefix}-${hash(bytes)}.bin`);
}

/** `folder`, created if missing, if it is a real folder only this user can write; otherwise undefined. */
function ownedFolder(folder: string): string | undefined {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const stats = lstatSync(folder);
  const uid = process.getuid?.();
  const safe = stats.isDirectory() && (uid === undefined || stats.uid === uid) && (stats.mode & 0o022) === 0;
  if (!safe) debug("compile cache: not used (%s is not a folder only this user can write)", folder);
  return safe ? folder : undefined;
}

/**
 * The cached data in `file`, if present and intact. V8 does not check the
 * data itself in release builds (a damaged file can abort the process), so
 * each file starts with a SHA-256 of the data, checked here.
 */
function readCache(file: string): Buffer | undefined {
  let contents: Buffer;
  try {
    contents = readFileSync(file);
  } catch {
    return undefined;
  }
  const data = contents.subarray(DIGEST_BYTES);
  if (contents.length > DIGEST_BYTES && digest(data).equals(contents.subarray(0, DIGEST_BYTES))) return data;
  debug("compile cache: damaged, not used (%s)", file);
  return undefined;
}

/** Writes the cache beside its final name and renames it, so a concurrent run never reads half a file. */
function writeCache(cacheFile: string, produce: () => Buffer): void {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    const data = produce();
    writeFileSync(temporary, Buffer.concat([digest(data), data]), { mode: 0o600 });
    renameSync(temporary, cacheFile);
    removeOtherBuilds(cacheFile);
    debug("compile cache: written to %s", cacheFile);
  } catch (error) {
    rmSync(temporary, { force: true });
    debug("compile cache: not written (%s)", error instanceof Error ? error.message : String(error));
  }
}

/**
 * Removes caches of earlier builds of the same bundle (same path hash, other
 * stamp), any not used for {@link STALE_AFTER_MS} (bundles since moved or
 * deleted, such as a temporary build's), and half-written files a killed
 * run left (a write takes milliseconds; an hour-old one is abandoned).
 */
function removeOtherBuilds(cacheFile: string): void {
  const folder = dirname(cacheFile);
  const name = cacheFile.slice(folder.length + 1);
  const prefix = name.slice(0, name.indexOf("-") + 1);
  const now = Date.now();
  for (const entry of readdirSync(folder)) {
    const cache = entry.endsWith(".bin");
    if (entry === name || !(cache || entry.endsWith(".tmp"))) continue;
    const file = join(folder, entry);
    const stats = statSync(file, { throwIfNoEntry: false });
    if (stats === undefined) continue;
    const idleMs = now - Math.max(stats.atimeMs, stats.mtimeMs);
    const remove = cache ? entry.startsWith(prefix) || idleMs > STALE_AFTER_MS : idleMs > ABANDONED_AFTER_MS;
    if (remove) rmSync(file, { force: true });
  }
}

function stripShebang(source: string): string {
  // kept as an empty line so line numbers in stack traces stay right
  return source.startsWith("#!") ? source.replace(/^#![^\n]*/, "") : source;
}

const DIGEST_BYTES = 32;

function digest(data: string | Buffer): Buffer {
  return createHash("sha256").update(data).digest();
}

/** A short name part: the first 24 hex digits of the SHA-256. */
function hash(data: string | Buffer): string {
  return digest(data).toString("hex").slice(0, 24);
}
