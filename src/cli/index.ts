#!/usr/bin/env node
/**
 * The `codeact` bin. Installed, it runs the program's bundle beside it
 * (`program.cjs`, made by the build) through V8's compile cache; from
 * source, where there is no bundle, it imports the program itself.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runBundled } from "./compile-cache.js";

// Node's fetch parses HTTP with a WebAssembly module; V8 recompiles it
// optimised on a background thread, and exiting waits for that: ~70 ms of
// every short run. The baseline compiler alone is plenty for a CLI's few
// requests. Set before any WebAssembly is compiled (the first request).
setFlagsFromString("--liftoff-only");

const bundle = fileURLToPath(new URL("program.cjs", import.meta.url));
if (existsSync(bundle)) runBundled(bundle);
else await import("./program.js");
