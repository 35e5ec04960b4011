/**
 * Sets up a local Jupyter server's sandbox: checks that bubblewrap can make
 * a sandbox here, writes the launcher, its settings and the `python3`
 * kernelspec that runs it, and returns the server arguments that make every
 * kernel use them.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { SandboxUnavailableError } from "../../errors.js";
import { SANDBOX_LAUNCHER_SOURCE } from "./launcher-source.js";
import { sandboxConfig, type PythonSandboxOptions } from "./options.js";

const SYSTEM_PYTHON = "/usr/bin/python3";

const OPT_OUT =
  "To run kernels without the sandbox (with your user's full rights), pass `sandbox: false` to startLocalJupyter " +
  "(createExecutor: `server: { local: { sandbox: false } }`; CLI: --no-sandbox; Studio graph codeact_python: the " +
  "CODEACT_PYTHON_SANDBOX=off environment variable).";

/** Where the sandbox's files go in the server's state directory, and the server's extra arguments. */
export interface InstalledSandbox {
  /** Extra jupyter-server arguments. */
  args: string[];
  /** Extra environment of the server (its kernelspec directory). */
  env: Record<string, string>;
}

/**
 * Prepares `stateDir` for sandboxed kernels.
 * @throws SandboxUnavailableError when bubblewrap is missing or cannot create namespaces here.
 */
export async function installSandbox(stateDir: string, options: PythonSandboxOptions): Promise<InstalledSandbox> {
  const bwrap = options.bwrapPath ?? findOnPath("bwrap");
  if (bwrap === undefined || !existsSync(bwrap)) {
    throw new SandboxUnavailableError(
      process.platform === "linux"
        ? "The Python sandbox needs bubblewrap, which is not installed: apt-get install bubblewrap " +
            `(scripts/install-system-deps.sh installs it). ${OPT_OUT}`
        : `The Python sandbox needs bubblewrap, which runs on Linux only (this is ${process.platform}). ${OPT_OUT}`
    );
  }
  const directory = join(stateDir, "sandbox");
  await mkdir(directory, { recursive: true });
  const config = sandboxConfig(options, bwrap);
  // Kernels of a root server run as other users: they must reach the shared font cache (not the state).
  await chmod(stateDir, 0o711);
  await chmod(directory, 0o711);
  const launcher = join(directory, "launch.py");
  await writeFile(launcher, SANDBOX_LAUNCHER_SOURCE, { mode: 0o644 });
  await writeFile(join(directory, "sandbox.json"), JSON.stringify(config, null, 2), { mode: 0o644 });
  // The launcher needs only the standard library: the system's Python runs it, whatever runs the kernels.
  const launcherPython = existsSync(SYSTEM_PYTHON) ? SYSTEM_PYTHON : config.python;
  await check(launcherPython, launcher, config.python);
  const data = join(stateDir, "data");
  const spec = join(data, "kernels", "python3");
  await mkdir(spec, { recursive: true });
  await writeFile(
    join(spec, "kernel.json"),
    JSON.stringify(
      {
        argv: [launcherPython, launcher, "{connection_file}"],
        display_name: "Python 3 (sandboxed)",
        language: "python",
        // A signal would reach bubblewrap, not the kernel: interrupt over the control channel.
        interrupt_mode: "message",
        metadata: { debugger: false },
      },
      null,
      2
    )
  );
  return {
    args: [
      "--KernelManager.transport=ipc",
      '--KernelSpecManager.allowed_kernelspecs={"python3"}',
      "--KernelSpecManager.ensure_native_kernel=False",
    ],
    env: { JUPYTER_DATA_DIR: data, JUPYTER_PATH: data },
  };
}

function findOnPath(command: string): string | undefined {
  for (const directory of (process.env["PATH"] ?? "").split(delimiter)) {
    if (directory === "") continue;
    const candidate = join(directory, command);
    if (existsSync(candidate)) return candidate;
  }
  return ["/usr/bin/bwrap", "/bin/bwrap"].find((candidate) => existsSync(candidate));
}

/** Starts what a kernel would get — the sandbox, its Python, ipykernel — once, at server start. */
function check(launcherPython: string, launcher: string, python: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(launcherPython, [launcher, "--check"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-2_000)));
    child.once("error", (error) =>
      reject(new SandboxUnavailableError(`The Python sandbox could not run its launcher with ${launcherPython} (${error.message}). ${OPT_OUT}`, { cause: error }))
    );
    child.once("exit", (code) => {
      if (code === 0) {
        resolve();
        return;
      }
      const said = stderr.trim() || `exit ${code}`;
      const namespaces = /namespace|permission|operation not permitted|setting up uid map/i.test(said);
      reject(
        new SandboxUnavailableError(
          namespaces
            ? `The Python sandbox cannot create its namespaces here: bubblewrap said "${said}". ` +
                "It needs unprivileged user namespaces (sysctl user.max_user_namespaces > 0, and on Debian/Ubuntu " +
                "kernel.unprivileged_userns_clone=1 or an AppArmor profile that allows bwrap). In a container, run it with " +
                `seccomp and AppArmor settings that allow user namespaces. ${OPT_OUT}`
            : `The Python sandbox could not start a kernel's Python (${python}) with ipykernel inside it: "${said}". ` +
                "A Python outside /usr needs its directory in `readOnlyPaths`. " + OPT_OUT,
          { details: { stderr, python } }
        )
      );
    });
  });
}
