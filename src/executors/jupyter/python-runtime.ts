/**
 * The Python code the executor installs in each kernel: a private module
 * `_codeact` (in `sys.modules`, not in the user's globals) with the tool
 * bridge, the variable snapshot and the restore.
 */

import { PYTHON_CONTAINMENT_SOURCE } from "./python-containment.js";
import { PYTHON_DEFINITIONS_SOURCE } from "./python-definitions.js";
import type { SessionDefinitions } from "../types.js";

/** Prefix of an `input()` prompt that carries a tool call, not a question. */
export const TOOL_CALL_MARKER = "__codeact_tool_call__:";

const MODULE_NAME = "_codeact";

/** Source of the `_codeact` module. */
const MODULE_SOURCE = String.raw`
import builtins as _builtins
import json as _json
import os as _os
import signal as _signal
import sys as _sys
import threading as _threading
import atexit as _atexit
import time as _time

from IPython import get_ipython

try:
    from jupyter_client.jsonutil import json_default as _json_default
except ImportError:
    _json_default = str

MARKER = ${JSON.stringify(TOOL_CALL_MARKER)}
_SKIPPED = {"In", "Out", "exit", "quit", "get_ipython"}
_tools = {}
_fresh = True
# One tool call at a time: ipykernel's input() shares one stdin socket and
# purges stale replies first, so concurrent calls from threads would take
# each other's replies (or none) and a zmq socket is not thread-safe.
_tool_lock = _threading.RLock()
# The kernel's own streams, to flush when model code replaced sys.stdout.
_streams = (_sys.stdout, _sys.stderr)
_cell = 0
_running = False
_late_chars = 0


class ToolError(Exception):
    """A host tool failed; the message is the host's."""


class ToolRejectedError(ToolError):
    """A human rejected this tool call; the message says why."""


def _to_json(value):
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return tolist()
    raise TypeError(
        "tool arguments must be JSON-serialisable, got %s" % type(value).__name__
    )


def _thread_cell():
    return getattr(_threading.current_thread(), "_codeact_cell", None)


def call_tool(name, args, kwargs):
    born = _thread_cell()
    if not _running or (born is not None and born != _cell):
        raise ToolError(
            "%s(): a thread started by an earlier cell cannot call tools; "
            "wait for your threads inside the cell that starts them" % name
        )
    try:
        request = _json.dumps(
            {"name": name, "args": list(args), "kwargs": kwargs},
            default=_to_json, allow_nan=False,
        )
    except (TypeError, ValueError) as error:
        raise TypeError("%s(): %s" % (name, error)) from None
    with _tool_lock:
        saved = _sys.stdout, _sys.stderr
        # input() flushes sys.stdout and sys.stderr first: code that set them
        # to None (or anything without flush) would break the call.
        if not callable(getattr(saved[0], "flush", None)):
            _sys.stdout = _streams[0]
        if not callable(getattr(saved[1], "flush", None)):
            _sys.stderr = _streams[1]
        try:
            reply = _json.loads(_builtins.input(MARKER + request))
        finally:
            if (_sys.stdout, _sys.stderr) != saved:
                _sys.stdout, _sys.stderr = saved
    if "error" in reply:
        # the message is the host's as is (host tools already name themselves), as in JavaScript
        if reply.get("name") == "ToolRejectedError":
            raise ToolRejectedError(reply["error"])
        raise ToolError(reply["error"])
    return reply.get("ok")


def _make_tool(name):
    def tool(*args, **kwargs):
        return call_tool(name, args, kwargs)
    tool.__name__ = tool.__qualname__ = name
    tool.__doc__ = "Host tool %r." % name
    return tool


def install_tools(names):
    shell = get_ipython()
    namespace = shell.user_ns
    # The error classes code may catch; hidden, so snapshots leave them out.
    for cls in (ToolError, ToolRejectedError):
        namespace[cls.__name__] = shell.user_ns_hidden[cls.__name__] = cls
    for name, stub in list(_tools.items()):
        if name not in names:
            if namespace.get(name) is stub:
                del namespace[name]
            del _tools[name]
    for name in names:
        if name not in _tools:
            _tools[name] = _make_tool(name)
        namespace[name] = _tools[name]


def _user_names(shell):
    namespace = shell.user_ns
    hidden = shell.user_ns_hidden
    for name, value in list(namespace.items()):
        if name.startswith("_") or name in _SKIPPED:
            continue
        if name in hidden and hidden[name] is value:
            continue
        if _tools.get(name) is value:
            continue
        yield name, value


class _Json:
    """Shows as JSON in the execute_reply's user_expressions."""

    def __init__(self, data):
        self.data = data

    def _repr_json_(self):
        return self.data

    def __repr__(self):
        return _json.dumps(self.data)


_EXACT = (str, int, float, bool, type(None))


def _plain(value, budget):
    # True when value is made only of exact JSON types (no subclass, so no
    # user __eq__, __iter__ or __len__ runs) within budget nodes; budget is a
    # one-element list counting down.
    stack = [value]
    while stack:
        item = stack.pop()
        budget[0] -= 1
        if budget[0] < 0:
            return False
        kind = type(item)
        if kind in _EXACT:
            if kind is float and (item != item or item in (float("inf"), float("-inf"))):
                return False
        elif kind is list:
            stack.extend(item)
        elif kind is dict:
            for key in item:
                if type(key) is not str:
                    return False
            stack.extend(item.values())
        else:
            return False
    return True


def snapshot(max_chars):
    global _late_chars
    variables, unsaved, instances = {}, [], {}
    code, classes, defined = _definitions_snapshot(get_ipython().user_ns)
    for name, value in _user_names(get_ipython()):
        if name in defined:
            continue
        ok = False
        if _plain(value, [max_chars + 1]):
            try:
                ok = len(_json.dumps(value, allow_nan=False)) <= max_chars
            except Exception:
                ok = False
        if ok:
            variables[name] = value
            continue
        found, converted = [], None
        if classes:
            try:
                converted = _instance_data(value, classes, [max_chars + 1], [], found)
                if converted is not None and len(_json.dumps(converted[0], allow_nan=False)) > max_chars:
                    converted = None
            except Exception:
                converted = None
        if converted is not None and found:
            variables[name] = converted[0]
            instances[name] = found
        else:
            unsaved.append(name)
    threads = sum(
        1 for thread in _threading.enumerate()
        if getattr(thread, "_codeact_cell", None) is not None and thread.is_alive()
    )
    late, _late_chars = _late_chars, 0
    return _Json({
        "variables": variables,
        "unsaved": sorted(unsaved),
        "definitions": {"code": code, "instances": instances},
        "late": late,
        "running": (
            {"threads": threads, "processes": [], "stopped": _sweep_sandbox()} if _SANDBOXED
            else {"threads": threads, "processes": _running_children()}
        ),
    })


def restore(text, definitions_text=None):
    # One value at a time: a value Python cannot read back (nested deeper than
    # its parser allows) is reported, the others are still restored. Then the
    # saved definitions are replayed and instances rebuilt.
    namespace = get_ipython().user_ns
    failed, restored = [], []
    for name, value_text in _json.loads(text).items():
        if not name.isidentifier() or name.startswith("_"):
            failed.append(name)
            continue
        try:
            namespace[name] = _json.loads(value_text)
            restored.append(name)
        except Exception:
            failed.append(name)
    replayed, lost = [], []
    if definitions_text:
        definitions = _json.loads(definitions_text)
        if isinstance(definitions, dict):
            replayed, lost = _replay(namespace, definitions.get("code") or [])
            lost += _restore_instances(namespace, definitions.get("instances"), restored)
    return _Json({"failed": failed, "replayed": replayed, "lost": lost})


` + PYTHON_CONTAINMENT_SOURCE + PYTHON_DEFINITIONS_SOURCE + String.raw`
get_ipython().events.register("post_run_cell", _record_definitions)


def status():
    global _fresh
    fresh, _fresh = _fresh, False
    return _Json({"fresh": fresh})
`;

/**
 * Silent code that creates the `_codeact` module once per kernel. Its
 * `status()` tells whether this call created it (a new or restarted kernel).
 */
export const BOOTSTRAP_CODE = [
  "def __codeact_bootstrap():",
  "    import sys, types",
  `    if ${JSON.stringify(MODULE_NAME)} not in sys.modules:`,
  `        module = types.ModuleType(${JSON.stringify(MODULE_NAME)})`,
  `        exec(compile(${JSON.stringify(MODULE_SOURCE)}, "<codeact>", "exec"), module.__dict__)`,
  `        sys.modules[${JSON.stringify(MODULE_NAME)}] = module`,
  "__codeact_bootstrap()",
  "del __codeact_bootstrap",
].join("\n");

/** An expression evaluating to the module (usable in user_expressions). */
const MODULE_EXPRESSION = `__import__("sys").modules[${JSON.stringify(MODULE_NAME)}]`;

export const STATUS_EXPRESSION = `${MODULE_EXPRESSION}.status()`;

export function snapshotExpression(maxVariableChars: number): string {
  return `${MODULE_EXPRESSION}.snapshot(${Math.max(0, Math.floor(maxVariableChars))})`;
}

/** Silent code defining one stub per tool name (and removing stale ones). */
export function installToolsCode(names: readonly string[]): string {
  return `${MODULE_EXPRESSION}.install_tools(${JSON.stringify(names)})`;
}

/**
 * An expression restoring a JSON snapshot into the user's globals and
 * replaying saved definitions; it evaluates to `{failed, replayed, lost}`.
 */
export function restoreExpression(variables: Record<string, unknown>, definitions?: SessionDefinitions): string {
  const texts: Record<string, string> = {};
  for (const name of Object.keys(variables)) texts[name] = JSON.stringify(variables[name]) ?? "null";
  // A JSON string literal is also a valid Python string literal.
  const replay = definitions && definitions.code.length > 0 ? `, ${JSON.stringify(JSON.stringify(definitions))}` : "";
  return `${MODULE_EXPRESSION}.restore(${JSON.stringify(JSON.stringify(texts))}${replay})`;
}

/** A tool call decoded from an input_request prompt. */
export interface ToolCallRequest {
  name: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
}

/** The tool call in `prompt`, or undefined for an ordinary `input()`. */
export function parseToolCall(prompt: string): ToolCallRequest | undefined {
  if (!prompt.startsWith(TOOL_CALL_MARKER)) return undefined;
  const parsed = JSON.parse(prompt.slice(TOOL_CALL_MARKER.length)) as Partial<ToolCallRequest>;
  return {
    name: String(parsed.name),
    args: Array.isArray(parsed.args) ? parsed.args : [],
    kwargs:
      parsed.kwargs && typeof parsed.kwargs === "object"
        ? (parsed.kwargs as Record<string, unknown>)
        : {},
  };
}
