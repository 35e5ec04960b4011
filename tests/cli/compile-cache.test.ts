/**
 * The bin's compile cache (src/cli/compile-cache.ts), on a small CommonJS
 * "bundle" in a temporary folder, each run a real Node process with its own
 * temp directory. The Node 20 path (a vm.Script with its earlier code cache)
 * is exported and tested on every Node; `runBundled` is tested for choosing
 * Node's own cache where Node has one.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const SOURCE = path.resolve(__dirname, "../../src/cli");
const TSX = pathToFileURL(createRequire(__filename).resolve("tsx")).href;
const NODE_HAS_OWN_CACHE = typeof (Module as unknown as { enableCompileCache?: unknown }).enableCompileCache === "function";
const UID = process.getuid?.() ?? "user";

let folder: string;
let tmp: string;
let bundle: string;

/** A bundle that reports its module context, signals a task run unless told not to, and may throw on line 9. */
function writeBundle(marker: string): void {
  const signal = JSON.stringify(path.join(SOURCE, "compile-cache-signal.ts"));
  writeFileSync(
    bundle,
    [
      "#!/usr/bin/env node",
      `const { keepCompiledCode } = require(${signal});`,
      `const helper = require("./helper.cjs");`,
      `module.exports = { marker: ${JSON.stringify(marker)} };`,
      `console.log(JSON.stringify({ marker: module.exports.marker, helper: helper.name, file: __filename, dir: __dirname }));`,
      `if (process.env.NO_TASK !== "1") keepCompiledCode();`,
      `function work(n) { let total = 0; for (let i = 0; i < n; i++) total += i; return total; }`,
      `console.log("work", work(1000));`,
      `if (process.env.THROW === "1") throw new Error("thrown on line 9");`,
      "",
    ].join("\n")
  );
}

/** Runs the bundle through `entry` ("script": the Node 20 path; "bundled": runBundled) in a fresh process. */
function run(entry: "script" | "bundled", env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const exported = entry === "script" ? "runWithScriptCache" : "runBundled";
  const program = `import(${JSON.stringify(pathToFileURL(path.join(SOURCE, "compile-cache.ts")).href)}).then((m) => m.${exported}(${JSON.stringify(bundle)}))`;
  const result = spawnSync(process.execPath, ["--import", TSX, "-e", program], {
    env: { ...process.env, NODE_OPTIONS: "", TMPDIR: tmp, NODE_DEBUG: "codeact", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const cacheFolder = (): string => path.join(tmp, `codeact-compile-cache-${UID}`);
const cacheFiles = (): string[] => (existsSync(cacheFolder()) ? readdirSync(cacheFolder()).filter((name) => name.endsWith(".bin")) : []);

beforeEach(() => {
  folder = mkdtempSync(path.join(os.tmpdir(), "codeact-compile-cache-test-"));
  tmp = path.join(folder, "tmp");
  mkdirSync(tmp);
  bundle = path.join(folder, "program.cjs");
  writeFileSync(path.join(folder, "helper.cjs"), 'module.exports = { name: "helper" };\n');
  writeBundle("first");
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

describe("the bin's code cache (the Node 20 path)", () => {
  it("runs the bundle as Node's loader would: module, exports, require beside it, __filename, __dirname", () => {
    const result = run("script");
    expect(result.status).toBe(0);
    const reported = JSON.parse(result.stdout.split("\n")[0]!) as Record<string, string>;
    expect(reported).toEqual({ marker: "first", helper: "helper", file: bundle, dir: folder });
    expect(result.stdout).toContain("work 499500");
  });

  it("writes the cache after a run that reached a task, and the next run accepts it", () => {
    const first = run("script");
    expect(first.stderr).toContain("compile cache: none yet");
    expect(first.stderr).toContain("compile cache: written to");
    expect(cacheFiles()).toHaveLength(1);
    // only this user may read or write it
    expect(statSync(cacheFolder()).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(cacheFolder(), cacheFiles()[0]!)).mode & 0o777).toBe(0o600);

    const second = run("script");
    expect(second.status).toBe(0);
    expect(second.stderr).toContain("compile cache: accepted");
    expect(second.stderr).not.toContain("written to");
    expect(second.stdout).toBe(first.stdout);
  });

  it("writes nothing after a run that did not reach a task (--help, a usage error)", () => {
    const result = run("script", { NO_TASK: "1" });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain("not written (the run did not reach a task)");
    expect(cacheFiles()).toHaveLength(0);
  });

  it("never runs a stale cache: a bundle changed in place, same size, same mtime, runs its own code", () => {
    run("script");
    const [old] = cacheFiles();
    const { mtime, ino } = statSync(bundle);
    writeBundle("later"); // same length as "first", written over the same file
    utimesSync(bundle, mtime, mtime);
    expect(statSync(bundle).ino).toBe(ino);
    const changed = run("script");
    expect(changed.status).toBe(0);
    expect(changed.stdout).toContain('"marker":"later"');
    expect(changed.stderr).toContain("compile cache: none yet");
    // the earlier build's cache is replaced, not kept beside it
    expect(cacheFiles()).toHaveLength(1);
    expect(cacheFiles()[0]).not.toBe(old);
  });

  it.each([
    ["bytes flipped inside its data", (data: Buffer): Buffer => Buffer.concat([data.subarray(0, data.length >> 1), Buffer.alloc(64, 0xa5), data.subarray((data.length >> 1) + 64)])],
    ["garbage of another length", (): Buffer => Buffer.alloc(4_096, 0x5a)],
    ["cut short", (data: Buffer): Buffer => data.subarray(0, 20)],
  ])("compiles afresh from a damaged cache (%s) and writes a good one", (_name, damage) => {
    run("script");
    const file = path.join(cacheFolder(), cacheFiles()[0]!);
    writeFileSync(file, damage(readFileSync(file)));
    const damaged = run("script");
    expect(damaged.status).toBe(0);
    expect(damaged.stdout).toContain("work 499500");
    expect(damaged.stderr).toContain("compile cache: damaged, not used");
    expect(damaged.stderr).toContain("written to");
    expect(run("script").stderr).toContain("compile cache: accepted");
  });

  it("keeps one cache per set of Node flags, so runs with different flags do not replace each other's", () => {
    const other = { NODE_OPTIONS: "--max-old-space-size=512" };
    run("script");
    run("script", other);
    expect(cacheFiles()).toHaveLength(2);
    expect(run("script").stderr).toContain("compile cache: accepted");
    expect(run("script", other).stderr).toContain("compile cache: accepted");
  });

  it.each([
    ["a folder others can write", (): void => chmodSync(cacheFolder(), 0o777)],
    ["a folder the group can write", (): void => chmodSync(cacheFolder(), 0o770)],
    [
      "a symbolic link",
      (): void => {
        const elsewhere = path.join(folder, "elsewhere");
        rmSync(cacheFolder(), { recursive: true });
        mkdirSync(elsewhere, { mode: 0o700 });
        require("node:fs").symlinkSync(elsewhere, cacheFolder());
      },
    ],
  ])("neither reads nor writes a cache in %s", (_name, spoil) => {
    run("script");
    spoil();
    const before = cacheFiles();
    const result = run("script");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("work 499500");
    expect(result.stderr).toContain("is not a folder only this user can write");
    expect(result.stderr).not.toMatch(/compile cache: (accepted|rejected|written)/);
    expect(cacheFiles()).toEqual(before);
  });

  it("runs without a cache when the temp directory cannot hold one", () => {
    writeFileSync(cacheFolder(), "not a folder");
    const result = run("script");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("work 499500");
    expect(result.stderr).toContain("compile cache: not used");
  });

  it("keeps line numbers in stack traces (the shebang line is blanked, not removed)", () => {
    run("script");
    const result = run("script", { THROW: "1" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("thrown on line 9");
    expect(result.stderr).toContain(`${bundle}:9:`);
  });

  it("removes caches of bundles not run for a week, and half-written files an hour old, when it writes one", () => {
    mkdirSync(cacheFolder(), { recursive: true, mode: 0o700 });
    const stale = path.join(cacheFolder(), "0123456789abcdef01234567-0123456789abcdef01234567.bin");
    const recent = path.join(cacheFolder(), "76543210fedcba9876543210-0123456789abcdef01234567.bin");
    const abandoned = `${recent}.4242.tmp`;
    const beingWritten = `${recent}.4343.tmp`;
    writeFileSync(stale, "old");
    writeFileSync(recent, "recent");
    writeFileSync(abandoned, "half");
    writeFileSync(beingWritten, "half");
    const eightDaysAgo = new Date(Date.now() - 8 * 24 * 60 * 60 * 1000);
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(stale, eightDaysAgo, eightDaysAgo);
    utimesSync(abandoned, twoHoursAgo, twoHoursAgo);
    run("script");
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(recent)).toBe(true);
    expect(existsSync(abandoned)).toBe(false);
    expect(existsSync(beingWritten)).toBe(true);
    expect(cacheFiles()).toHaveLength(2);
  });
});

describe("runBundled", () => {
  it(`uses ${NODE_HAS_OWN_CACHE ? "Node's own compile cache, in this user's folder" : "the bin's code cache"} on Node ${process.versions.node}`, () => {
    const first = run("bundled");
    const second = run("bundled");
    expect(first.status).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    if (NODE_HAS_OWN_CACHE) {
      expect(first.stderr).toContain("compile cache: Node's own");
      expect(first.stderr).toContain(cacheFolder());
      // Node's files, in the folder only this user can write, not in Node's shared default
      expect(readdirSync(cacheFolder(), { recursive: true }).length).toBeGreaterThan(0);
      expect(existsSync(path.join(tmp, "node-compile-cache"))).toBe(false);
    } else {
      expect(second.stderr).toContain("compile cache: accepted");
      expect(cacheFiles()).toHaveLength(1);
    }
  });

  it("uses the folder NODE_COMPILE_CACHE names, as Node does", () => {
    const chosen = path.join(folder, "chosen");
    const result = run("bundled", { NODE_COMPILE_CACHE: chosen });
    expect(result.status).toBe(0);
    if (NODE_HAS_OWN_CACHE) {
      expect(readdirSync(chosen, { recursive: true }).length).toBeGreaterThan(0);
      expect(existsSync(cacheFolder())).toBe(false);
    } else {
      // Node 20 has no compile cache of its own: the variable means nothing there
      expect(result.stderr).toContain("written to");
    }
  });

  it("keeps no cache at all when this user's folder is not safe", () => {
    mkdirSync(cacheFolder(), { mode: 0o700 });
    chmodSync(cacheFolder(), 0o777);
    const result = run("bundled");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("work 499500");
    expect(result.stderr).toContain("is not a folder only this user can write");
    expect(readdirSync(cacheFolder())).toEqual([]);
  });

  it("turns off with NODE_DISABLE_COMPILE_CACHE, as Node's own does", () => {
    const result = run("bundled", { NODE_DISABLE_COMPILE_CACHE: "1" });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("work 499500");
    expect(result.stderr).toContain("compile cache: off");
    expect(existsSync(cacheFolder())).toBe(false);
  });
});
