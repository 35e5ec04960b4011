// Stops a `langgraphjs dev` process tree (CLI → `tsx watch` → API server) so
// the API server can write its threads to disk. It writes them when it gets
// SIGTERM or SIGINT, but a second signal kills it at once, and `tsx watch`
// answers its own second signal with SIGKILL; a signal to the whole group
// (a terminal's Ctrl-C, `kill -- -pgid`) delivers both and can cut the write
// short. So: the API server alone first, the rest once it is gone.
"use strict";
const { readdirSync, readFileSync } = require("node:fs");

/** The API server's pid in process group `group`, through /proc (Linux). */
function apiServerPid(group) {
  let entries;
  try {
    entries = readdirSync("/proc");
  } catch {
    return undefined; // No /proc (macOS): the caller signals the group.
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // After "(comm) ": state, ppid, pgrp.
      const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      if (pgrp !== group) continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (command.includes("entrypoint.mjs") && !command.includes("tsx/dist/cli.mjs")) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
}

function signal(pid, name) {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

const alive = (pid) => signal(pid, 0);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitGone(pid, ms) {
  const deadline = Date.now() + ms;
  while (alive(pid) && Date.now() < deadline) await sleep(50);
  return !alive(pid);
}

/**
 * Stops the process group `group` led by `langgraphjs dev`: SIGTERM to the API
 * server, then to the group, SIGKILL for what is left after `timeoutMs`.
 */
async function stopDevServer(group, { timeoutMs = 15_000 } = {}) {
  const api = apiServerPid(group);
  // The server's own exit hook gives its write 3 s before it exits anyway.
  if (api !== undefined && signal(api, "SIGTERM")) await waitGone(api, timeoutMs);
  if (!signal(-group, "SIGTERM")) return;
  if (!(await waitGone(-group, timeoutMs))) signal(-group, "SIGKILL");
}

module.exports = { stopDevServer };
