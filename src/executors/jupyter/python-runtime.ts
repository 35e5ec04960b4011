/**
 * The Python code the executor installs in each kernel: a private module
 * `_codeact` (in `sys.modules`, not in the user's globals) with the tool
 * bridge, the variable snapshot and the restore.
 */

/** Prefix of an `input()` prompt that carries a tool call, not a question. */
export const TOOL_CALL_MARKER = "__codeact_tool_call__:";

const MODULE_NAME = "_codeact";

/** Source of the `_codeact` module. */
const MODULE_SOURCE = String.raw`
import builtins as _builtins
import json as _json
import sys as _sys
import types as _types

from IPython import get_ipython

try:
    from jupyter_client.jsonutil import json_default as _json_default
except ImportError:
    _json_default = str

MARKER = ${JSON.stringify(TOOL_CALL_MARKER)}
_SKIPPED = {"In", "Out", "exit", "quit", "get_ipython"}
_tools = {}
_fresh = True


class ToolError(Exception):
    """A host tool failed; the message is the host's."""


def _to_json(value):
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return tolist()
    raise TypeError(
        "tool arguments must be JSON-serialisable, got %s" % type(value).__name__
    )


def call_tool(name, args, kwargs):
    try:
        request = _json.dumps(
            {"name": name, "args": list(args), "kwargs": kwargs},
            default=_to_json, allow_nan=False,
        )
    except (TypeError, ValueError) as error:
        raise TypeError("%s(): %s" % (name, error)) from None
    reply = _json.loads(_builtins.input(MARKER + request))
    if "error" in reply:
        # the message is the host's as is (host tools already name themselves), as in JavaScript
        raise ToolError(reply["error"])
    return reply.get("ok")


def _make_tool(name):
    def tool(*args, **kwargs):
        return call_tool(name, args, kwargs)
    tool.__name__ = tool.__qualname__ = name
    tool.__doc__ = "Host tool %r." % name
    return tool


def install_tools(names):
    namespace = get_ipython().user_ns
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


def snapshot(max_chars):
    variables, unsaved = {}, []
    for name, value in _user_names(get_ipython()):
        if isinstance(value, (_types.ModuleType, _types.FunctionType, type)):
            unsaved.append(name)
            continue
        try:
            text = _json.dumps(value, allow_nan=False)
            ok = len(text) <= max_chars and _json.loads(text) == value
        except Exception:
            ok = False
        if ok:
            variables[name] = value
        else:
            unsaved.append(name)
    return _Json({"variables": variables, "unsaved": sorted(unsaved)})


def restore(text):
    # One value at a time: a value Python cannot read back (nested deeper than
    # its parser allows) is reported, the others are still restored.
    namespace = get_ipython().user_ns
    failed = []
    for name, value_text in _json.loads(text).items():
        if not name.isidentifier() or name.startswith("_"):
            failed.append(name)
            continue
        try:
            namespace[name] = _json.loads(value_text)
        except Exception:
            failed.append(name)
    return _Json({"failed": failed})


def _escaping_packer(original):
    # jupyter_client packs messages as UTF-8, which lone surrogates (a JSON
    # "\\ud800" escape, a sliced emoji, os.fsdecode) are not: U+D800..U+DBFF
    # make it raise, so the message is dropped (a print() vanishes, an
    # execute_reply never comes); U+DC80..U+DCFF go out as invalid bytes the
    # server turns into U+FFFD. ASCII JSON escapes keep them exactly, as the
    # JavaScript sandbox keeps them.
    def pack(obj):
        try:
            packed = original(obj)
            packed.decode("utf-8")
            return packed
        except UnicodeError:
            return _json.dumps(
                obj, default=_json_default, ensure_ascii=True, allow_nan=False
            ).encode("ascii")
    pack._codeact_escaping = True
    return pack


def _patch_packers():
    shell = get_ipython()
    holders = (
        getattr(shell, "kernel", None), getattr(shell, "displayhook", None),
        getattr(shell, "display_pub", None), _sys.stdout, _sys.stderr,
    )
    for holder in holders:
        session = getattr(holder, "session", None)
        pack = getattr(session, "pack", None)
        if callable(pack) and not getattr(pack, "_codeact_escaping", False):
            session.pack = _escaping_packer(pack)


_patch_packers()


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

/** An expression restoring a JSON snapshot into the user's globals; it evaluates to the names that failed. */
export function restoreExpression(variables: Record<string, unknown>): string {
  const texts: Record<string, string> = {};
  for (const name of Object.keys(variables)) texts[name] = JSON.stringify(variables[name]) ?? "null";
  // A JSON string literal is also a valid Python string literal.
  return `${MODULE_EXPRESSION}.restore(${JSON.stringify(JSON.stringify(texts))})`;
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
