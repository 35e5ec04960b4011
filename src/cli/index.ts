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
import { runBundled } from "./compile-cache.js";

const bundle = fileURLToPath(new URL("program.cjs", import.meta.url));
if (existsSync(bundle)) runBundled(bundle);
else await import("./program.js");
