/**
 * A throwaway PostgreSQL cluster for a test: `initdb` in a temporary
 * directory, `pg_ctl start` on 127.0.0.1 and a free port, trust
 * authentication, the Unix socket inside the directory. Uses Debian's
 * binaries (`apt-get install postgresql`, under /usr/lib/postgresql/<major>/bin).
 *
 * PostgreSQL refuses to run as root, so when the tests run as root the
 * cluster belongs to `nobody` and every command runs through `setpriv`.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, chownSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "../studio/dev-server.js";

const run = promisify(execFile);
const POSTGRES_ROOT = "/usr/lib/postgresql";
const UNPRIVILEGED_UID = 65_534; // nobody
const UNPRIVILEGED_GID = 65_534; // nogroup
const COMMAND_TIMEOUT_MS = 60_000;

export interface PostgresServer {
  /** `postgresql://codeact@127.0.0.1:<port>/postgres` */
  connectionString: string;
  /** Stops the server (fast shutdown) and removes the directory. */
  stop(): Promise<void>;
}

/** The newest installed server's bin directory, or undefined. */
export function postgresBinDirectory(): string | undefined {
  if (!existsSync(POSTGRES_ROOT)) return undefined;
  const majors = readdirSync(POSTGRES_ROOT)
    .filter((name) => existsSync(join(POSTGRES_ROOT, name, "bin/initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? undefined : join(POSTGRES_ROOT, majors[0], "bin");
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDirectory();
  if (bin === undefined) {
    throw new Error(`No PostgreSQL server under ${POSTGRES_ROOT}: apt-get install postgresql`);
  }
  const directory = mkdtempSync(join(tmpdir(), "codeact-pg-"));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    chownSync(directory, UNPRIVILEGED_UID, UNPRIVILEGED_GID);
    chmodSync(directory, 0o700);
  }
  const command = (name: string, args: string[]) =>
    asRoot
      ? run("setpriv", [`--reuid=${UNPRIVILEGED_UID}`, `--regid=${UNPRIVILEGED_GID}`, "--clear-groups", join(bin, name), ...args], {
          timeout: COMMAND_TIMEOUT_MS,
        })
      : run(join(bin, name), args, { timeout: COMMAND_TIMEOUT_MS });
  const data = join(directory, "data");
  const port = await freePort();
  try {
    await command("initdb", ["-D", data, "-A", "trust", "-U", "codeact", "--no-sync"]);
    await command("pg_ctl", [
      "-D", data,
      "-l", join(directory, "server.log"),
      "-w",
      "-o", `-c listen_addresses=127.0.0.1 -p ${port} -k ${directory} -c fsync=off`,
      "start",
    ]);
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    connectionString: `postgresql://codeact@127.0.0.1:${port}/postgres`,
    stop() {
      stopping ??= command("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"])
        .then(() => undefined)
        .finally(() => rmSync(directory, { recursive: true, force: true }));
      return stopping;
    },
  };
}
