/**
 * Python source (part of the kernel's `_codeact` module, see
 * python-runtime.ts): the session's code that travels to a new kernel.
 *
 * After each cell, its top-level `import`, `def` and `class` statements are
 * kept with their exact source, by the name they bind, while that name
 * still holds the very object the statement made and nothing was added to
 * it since. A replacement kernel replays them in order (a failing one is
 * retried after the others, all under a time budget), then turns saved
 * instance data back into instances of those classes.
 */
export const PYTHON_DEFINITIONS_SOURCE = String.raw`
import ast as _ast
import types as _types

_definitions = {}
_definition_order = [0]
_REPLAY_SECONDS = 10


def _cell_definitions(raw):
    try:
        source = get_ipython().transform_cell(raw)
        tree = _ast.parse(source)
    except Exception:
        return []
    lines = source.splitlines(True)
    found = []
    for node in tree.body:
        if isinstance(node, (_ast.FunctionDef, _ast.AsyncFunctionDef, _ast.ClassDef)):
            first = min([d.lineno for d in node.decorator_list] + [node.lineno])
            found.append((node.name, "".join(lines[first - 1:node.end_lineno])))
        elif isinstance(node, _ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                found.append((bound, "import " + alias.name + (" as " + alias.asname if alias.asname else "")))
        elif isinstance(node, _ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                if alias.name != "*":
                    found.append((alias.asname or alias.name, "from %s import %s%s" % (
                        node.module, alias.name, " as " + alias.asname if alias.asname else "")))
    return found


def _fingerprint(value):
    # Attribute values as they were kept: a later change means the source no longer makes this object.
    if isinstance(value, (type, _types.FunctionType)):
        return tuple(sorted((key, id(item)) for key, item in vars(value).items()))
    return None


def _body_names(source):
    # Names a class body defines itself; anything else on the class was added
    # from outside. None for an import (the module defines the object).
    try:
        node = _ast.parse(source).body[0]
    except Exception:
        return frozenset()
    if isinstance(node, (_ast.Import, _ast.ImportFrom)):
        return None
    names = set()
    for item in getattr(node, "body", []) if isinstance(node, _ast.ClassDef) else []:
        if isinstance(item, (_ast.FunctionDef, _ast.AsyncFunctionDef, _ast.ClassDef)):
            names.add(item.name)
        elif isinstance(item, _ast.Assign):
            names.update(target.id for target in item.targets if isinstance(target, _ast.Name))
        elif isinstance(item, _ast.AnnAssign) and isinstance(item.target, _ast.Name):
            names.add(item.target.id)
    return frozenset(names)


def _from_source(value, body_names):
    # Nothing but what its source makes (dunders come from Python or decorators).
    if body_names is None:
        return True
    if isinstance(value, _types.FunctionType):
        return all(key.startswith("__") and key.endswith("__") for key in vars(value))
    if isinstance(value, type):
        return all((key.startswith("__") and key.endswith("__")) or key in body_names for key in vars(value))
    return True


def _keep_definition(name, value, source):
    _definition_order[0] += 1
    _definitions[name] = (value, source, _definition_order[0], _fingerprint(value), _body_names(source))


def _record_definitions(result):
    namespace = get_ipython().user_ns
    raw = getattr(getattr(result, "info", None), "raw_cell", None)
    if not isinstance(raw, str):
        return
    for name, source in _cell_definitions(raw):
        if name in namespace and not name.startswith("_"):
            _keep_definition(name, namespace[name], source)


def _in_effect(namespace):
    kept = []
    for name in list(_definitions):
        value, source, order, fingerprint, body_names = _definitions[name]
        if namespace.get(name, _definitions) is not value:
            del _definitions[name]
        elif _fingerprint(value) == fingerprint and _from_source(value, body_names):
            kept.append((order, name, value, source))
    kept.sort()
    return kept


def _instance_data(value, classes, budget, path, out):
    # JSON data of value, instances of kept classes as their __dict__ (their
    # paths go to out); None when something is not plain data.
    budget[0] -= 1
    if budget[0] < 0 or len(path) > 100:
        return None
    kind = type(value)
    if kind in _EXACT:
        if kind is float and (value != value or value in (float("inf"), float("-inf"))):
            return None
        return (value,)
    if kind is list:
        items = []
        for index, item in enumerate(value):
            converted = _instance_data(item, classes, budget, path + [index], out)
            if converted is None:
                return None
            items.append(converted[0])
        return (items,)
    if kind is dict:
        if any(type(key) is not str for key in value):
            return None
        items = {}
        for key, item in value.items():
            converted = _instance_data(item, classes, budget, path + [key], out)
            if converted is None:
                return None
            items[key] = converted[0]
        return (items,)
    name = classes.get(id(kind))
    # Only classes built from kept classes: a dict, list or str subclass keeps data outside __dict__.
    if name is None or any(base is not object and id(base) not in classes for base in kind.__mro__[1:]):
        return None
    if any("__slots__" in vars(base) for base in kind.__mro__[:-1]) or type(getattr(value, "__dict__", None)) is not dict:
        return None
    converted = _instance_data(dict(vars(value)), classes, budget, path, out)
    if converted is not None:
        out.append({"path": path, "className": name})
    return converted


def _definitions_snapshot(namespace):
    kept = _in_effect(namespace)
    code = [{"name": name, "source": source} for _order, name, _value, source in kept]
    classes = {id(value): name for _order, name, value, _source in kept if isinstance(value, type)}
    return code, classes, {name for _order, name, _value, _source in kept}


def _on_alarm(signum, frame):
    raise TimeoutError("replaying the saved definitions took over %d s" % _REPLAY_SECONDS)


def _replay(namespace, code):
    restored, reasons = [], {}
    pending = [entry for entry in code if isinstance(entry, dict)
               and isinstance(entry.get("name"), str) and isinstance(entry.get("source"), str)
               and entry["name"].isidentifier() and not entry["name"].startswith("_")]
    previous = None
    try:
        previous = _signal.signal(_signal.SIGALRM, _on_alarm)
        _signal.setitimer(_signal.ITIMER_REAL, _REPLAY_SECONDS)
    except (ValueError, AttributeError):
        previous = None  # not the main thread: no budget, as for any cell
    try:
        progress = True
        while pending and progress:
            progress, left = False, []
            for entry in pending:
                name, source = entry["name"], entry["source"]
                try:
                    exec(compile(source, "<saved %s>" % name, "exec"), namespace)
                    if name not in namespace:
                        raise NameError("the saved source does not define %s" % name)
                    _keep_definition(name, namespace[name], source)
                    restored.append(name)
                    progress = True
                except TimeoutError as error:
                    reasons[name] = "TimeoutError: %s" % error
                    left.append(entry)
                    progress = False
                    left.extend(pending[pending.index(entry) + 1:])
                    break
                except BaseException as error:
                    reasons[name] = "%s: %s" % (type(error).__name__, str(error)[:200])
                    left.append(entry)
            pending = left
    finally:
        if previous is not None:
            _signal.setitimer(_signal.ITIMER_REAL, 0)
            _signal.signal(_signal.SIGALRM, previous)
    return restored, [[entry["name"], reasons.get(entry["name"], "")] for entry in pending]


def _restore_instances(namespace, instances, restored):
    lost = []
    for name, locations in (instances or {}).items():
        if name not in restored or not isinstance(locations, list):
            continue
        try:
            ordered = sorted(locations, key=lambda location: -len(location["path"]))
            for location in ordered:
                entry = _definitions.get(location["className"])
                if entry is None or namespace.get(location["className"]) is not entry[0] or not isinstance(entry[0], type):
                    raise LookupError("its class %s could not be rebuilt" % location["className"])
                path = location["path"]
                parent, key = (None, None) if not path else (namespace[name], path[-1])
                for step in path[:-1]:
                    parent = parent[step]
                data = namespace[name] if parent is None else parent[key]
                instance = entry[0].__new__(entry[0])
                instance.__dict__.update(data)
                if parent is None:
                    namespace[name] = instance
                else:
                    parent[key] = instance
        except Exception as error:
            namespace.pop(name, None)
            lost.append([name, str(error) if isinstance(error, LookupError) else "an instance was not where it was saved"])
    return lost
`;
