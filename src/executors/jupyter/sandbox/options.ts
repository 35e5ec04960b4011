/**
 * What a sandboxed local Jupyter server puts around each kernel, and the
 * defaults. See `startLocalJupyter({ sandbox })`.
 *
 * @module
 */

/** Limits and visibility of the kernels of a sandboxed local server. */
export interface PythonSandboxOptions {
  /** Address space of each kernel process (`RLIMIT_AS`). @defaultValue `2048` */
  memoryLimitMb?: number;
  /**
   * CPU time of a kernel over its whole life (`RLIMIT_CPU`); a kernel past
   * it is killed and replaced with its variables. Cells have their own
   * wall-clock `timeoutMs`. @defaultValue `3600`
   */
  cpuTimeLimitSeconds?: number;
  /** Processes and threads of one kernel (`RLIMIT_NPROC`). @defaultValue `128` */
  maxProcesses?: number;
  /** Largest file a kernel may write (`RLIMIT_FSIZE`). @defaultValue `256` */
  maxFileSizeMb?: number;
  /** Size of the writable scratch directory (`/scratch`, the working directory and `HOME`). @defaultValue `512` */
  scratchSizeMb?: number;
  /** Size of `/tmp`. @defaultValue `256` */
  tmpSizeMb?: number;
  /**
   * Host paths the kernels may read (data, a virtualenv outside `/usr`),
   * mounted read-only at the same path. @defaultValue `[]`
   */
  readOnlyPaths?: string[];
  /** The bubblewrap executable. @defaultValue `bwrap` on `PATH` */
  bwrapPath?: string;
  /** The Python that runs the kernels (it needs ipykernel). @defaultValue `/usr/bin/python3` */
  python?: string;
}

/** The settings the launcher reads (`sandbox.json`). */
export interface SandboxConfig {
  bwrap: string;
  python: string;
  memoryBytes: number;
  cpuSeconds: number;
  maxProcesses: number;
  fileBytes: number;
  scratchBytes: number;
  tmpBytes: number;
  readOnlyPaths: string[];
  /** Kernels of a root server run as users from this range, one per kernel. */
  uidBase: number;
  uidRange: number;
}

const MB = 1024 * 1024;

export const SANDBOX_DEFAULTS = {
  memoryLimitMb: 2048,
  cpuTimeLimitSeconds: 3600,
  maxProcesses: 128,
  maxFileSizeMb: 256,
  scratchSizeMb: 512,
  tmpSizeMb: 256,
} as const;

/** The launcher's settings from the options, checked. */
export function sandboxConfig(options: PythonSandboxOptions, bwrap: string): SandboxConfig {
  const positive = (name: keyof typeof SANDBOX_DEFAULTS): number => {
    const value = options[name] ?? SANDBOX_DEFAULTS[name];
    if (!(Number.isInteger(value) && value > 0)) {
      throw new TypeError(`sandbox.${name} must be a whole number above 0, got ${String(value)}.`);
    }
    return value;
  };
  const readOnlyPaths = options.readOnlyPaths ?? [];
  for (const path of readOnlyPaths) {
    if (typeof path !== "string" || !path.startsWith("/")) {
      throw new TypeError(`sandbox.readOnlyPaths must hold absolute paths, got ${JSON.stringify(path)}.`);
    }
  }
  return {
    bwrap,
    python: options.python ?? "/usr/bin/python3",
    memoryBytes: positive("memoryLimitMb") * MB,
    cpuSeconds: positive("cpuTimeLimitSeconds"),
    maxProcesses: positive("maxProcesses"),
    fileBytes: positive("maxFileSizeMb") * MB,
    scratchBytes: positive("scratchSizeMb") * MB,
    tmpBytes: positive("tmpSizeMb") * MB,
    readOnlyPaths,
    uidBase: 200_000,
    uidRange: 60_000,
  };
}
