/**
 * Exit codes of the `codeact` command. Scripts can rely on them; they are
 * listed in `codeact --help`.
 *
 * @module
 */

/** The model gave a final answer. */
export const EXIT_ANSWERED = 0;
/** The run failed: model server, network or executor error (message on stderr). */
export const EXIT_FAILED = 1;
/** Bad arguments or missing configuration (what to set is on stderr). */
export const EXIT_USAGE = 2;
/** The run stopped at `--max-steps` (or another budget) without a final answer. */
export const EXIT_MAX_STEPS = 3;
/** Interrupted with Ctrl-C (SIGINT) or SIGTERM; 128 + SIGINT, as shells report it. */
export const EXIT_INTERRUPTED = 130;

/** Every exit code, by the outcome it reports. */
export type ExitCode =
  | typeof EXIT_ANSWERED
  | typeof EXIT_FAILED
  | typeof EXIT_USAGE
  | typeof EXIT_MAX_STEPS
  | typeof EXIT_INTERRUPTED;
