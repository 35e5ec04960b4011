/**
 * The part of the kernel-side `_codeact` module that keeps a cell's leftovers
 * out of later cells: output from threads a cell started is dropped (and
 * counted) once the cell ends, such threads cannot call tools, child
 * processes are named after each cell and killed when the kernel exits (in
 * the sandbox: when the cell ends, detached ones too), and
 * model code that replaces the kernel's streams cannot wedge the reply.
 * Python source, concatenated into python-runtime.ts's module.
 */
export const PYTHON_CONTAINMENT_SOURCE = String.raw`
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


def _pre_run_cell(*_args):
    global _cell, _running
    _cell += 1
    _running = True


def _post_run_cell(*_args):
    global _running
    _running = False
    # The kernel flushes sys.stdout and sys.stderr after every cell; streams
    # replaced by None (or anything without write/flush) would break that and
    # leave the request unanswered, so the kernel's own streams come back.
    for index, name in enumerate(("stdout", "stderr")):
        stream = getattr(_sys, name)
        if not (callable(getattr(stream, "write", None)) and callable(getattr(stream, "flush", None))):
            setattr(_sys, name, _streams[index])
            _streams[index].write(
                "[sys.%s was replaced by an object without write() and flush(); it was reset]\n" % name
            )


def _tag_threads():
    original = _threading.Thread.start
    if getattr(original, "_codeact", False):
        return

    def start(self, *args, **kwargs):
        # A thread belongs to the cell that started it (or to its starter's cell).
        inherited = _thread_cell()
        self._codeact_cell = inherited if inherited is not None else _cell
        return original(self, *args, **kwargs)

    start._codeact = True
    _threading.Thread.start = start
    try:
        from concurrent.futures import thread as _pool
    except ImportError:
        return
    run = _pool._WorkItem.run
    init = _pool._WorkItem.__init__

    def item_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        owner = _thread_cell()
        self._codeact_cell = owner if owner is not None else _cell

    def item_run(self):
        # Pool threads outlive cells: each work item runs as its submitter's cell.
        thread = _threading.current_thread()
        thread._codeact_cell = getattr(self, "_codeact_cell", _cell)
        try:
            return run(self)
        finally:
            thread._codeact_cell = None

    _pool._WorkItem.__init__ = item_init
    _pool._WorkItem.run = item_run


def _drop_late_output():
    try:
        from ipykernel.iostream import OutStream
    except ImportError:
        return
    write = OutStream.write
    if getattr(write, "_codeact", False):
        return

    def guarded(self, string):
        global _late_chars
        born = _thread_cell()
        if born is not None and (born != _cell or not _running):
            # Output of a thread whose cell ended: it would land in whatever
            # cell runs now. Dropped here, counted, reported by the next snapshot.
            if isinstance(string, str):
                _late_chars += len(string)
                return len(string)
        return write(self, string)

    guarded._codeact = True
    OutStream.write = guarded


_SANDBOXED = _os.environ.get("CODEACT_SANDBOX") == "1"


def _sweep_sandbox():
    # In the sandbox's PID namespace every process but its init (1) and the
    # kernel was started by a cell, detached or not: none outlives the cell.
    me, stopped = _os.getpid(), set()
    for _ in range(200):
        live = []
        for entry in _os.listdir("/proc"):
            if not entry.isdigit() or int(entry) in (1, me):
                continue
            try:
                with open("/proc/%s/stat" % entry) as stat:
                    if stat.read().rsplit(")", 1)[1].split()[0] != "Z":
                        live.append(int(entry))
            except (OSError, IndexError):
                pass
        for pid in live:
            try:
                _os.kill(pid, _signal.SIGKILL)
                stopped.add(pid)
            except OSError:
                pass
        try:
            while _os.waitpid(-1, _os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass
        if not live:
            break
        _time.sleep(0.005)
    return len(stopped)


def _running_children():
    # Direct and indirect child processes of the kernel, from /proc (Linux).
    # Most cells start none: one waitid() says so without reading all of /proc.
    try:
        _os.waitid(_os.P_ALL, 0, _os.WEXITED | _os.WNOHANG | _os.WNOWAIT)
    except ChildProcessError:
        return []
    except (AttributeError, OSError):
        pass
    try:
        parents = {}
        for entry in _os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open("/proc/%s/stat" % entry) as stat:
                        fields = stat.read().rsplit(")", 1)[1].split()
                    if fields[0] != "Z":
                        parents.setdefault(int(fields[1]), []).append(int(entry))
                except (OSError, IndexError, ValueError):
                    pass
    except OSError:
        return []
    found, queue = [], [_os.getpid()]
    while queue:
        for child in parents.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def _kill_children():
    # A kernel shutting down normally does not take its subprocesses along.
    for pid in reversed(_running_children()):
        try:
            _os.kill(pid, _signal.SIGKILL)
        except OSError:
            pass


def _install_hooks():
    events = get_ipython().events
    events.register("pre_run_cell", _pre_run_cell)
    events.register("post_run_cell", _post_run_cell)
    _tag_threads()
    _drop_late_output()
    _atexit.register(_kill_children)


_install_hooks()


`;
