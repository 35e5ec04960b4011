// Stops a `langgraphjs dev` process tree (CLI → `tsx watch` → API server) so
// the API server can write its threads to disk. It writes them when it gets
// SIGTERM or SIGINT, but a second signal kills it at once, and `tsx watch`
// answers its own second signal with SIGKILL; a signal to the whole group
// (a terminal's Ctrl-C, `kill -- -pgid`) delivers both and can cut the write
// short. So: the API server alone first, the rest once it is gone.
"use strict";
const { readdirSync, readFileSync } = require("node:fs");

/** [pid, state, ppid, pgrp] of every process, through /proc; undefined without it (macOS). */
function processes() {
  let entries;
  try {
    entries = readdirSync("/proc");
  } catch {
    return undefined;
  }
  const found = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // After "(comm) ": state, ppid, pgrp.
      const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      found.push([Number(entry), state, Number(ppid), Number(pgrp)]);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** The API server's pid in process group `group`, or undefined. */
function apiServerPid(group, all) {
  for (const [pid, state, , pgrp] of all) {
    if (pgrp !== group || state === "Z") continue;
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (command.includes("entrypoint.mjs") && !command.includes("tsx/dist/cli.mjs")) return pid;
    } catch {
      // Gone meanwhile.
    }
  }
  return undefined;
}

function signal(target, name) {
  try {
    process.kill(target, name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the process (`target` > 0) or any member of the group (`target` < 0)
 * still runs. An exited process counts until its parent has taken note (reaped
 * it: `tsx watch` must see its server gone before it gets a signal, or it
 * force-kills), except an orphan, which a container's init may never reap.
 */
function running(target) {
  const all = processes();
  if (all === undefined) return signal(target, 0);
  return all.some(
    ([pid, state, ppid, pgrp]) => (target > 0 ? pid === target : pgrp === -target) && (state !== "Z" || ppid !== 1)
  );
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitGone(target, ms) {
  const deadline = Date.now() + ms;
  while (running(target) && Date.now() < deadline) await sleep(50);
  return !running(target);
}

/**
 * Stops the process group `group` led by `langgraphjs dev`: SIGTERM to the API
 * server, then to the group, SIGKILL for what is left after `timeoutMs`.
 * Without /proc the API server cannot be told apart: the CLI alone gets
 * SIGTERM, and on its way out it stops `tsx watch`, which passes one SIGTERM on.
 */
async function stopDevServer(group, { timeoutMs = 15_000 } = {}) {
  const all = processes();
  const first = all === undefined ? group : apiServerPid(group, all);
  // The server's own exit hook gives its write 3 s before it exits anyway.
  if (first !== undefined && signal(first, "SIGTERM")) await waitGone(all === undefined ? -group : first, timeoutMs);
  if (!signal(-group, "SIGTERM")) return;
  if (!(await waitGone(-group, timeoutMs))) signal(-group, "SIGKILL");
}

/** SIGKILL to the whole group, when the user will not wait. */
function killDevServer(group) {
  signal(-group, "SIGKILL");
}

module.exports = { stopDevServer, killDevServer };
