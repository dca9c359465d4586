"""`RuntimeConfig`: the runtime tier of a build, hot-reloaded and validated.

How an update is validated (the contract leaves the choice open):

* with `sources=` (the sources the build was made from, checked at start to
  compile to the build's artifact): exactly `mcfg check-runtime`, through the
  extension (types, refinements, every schema `check`, tiers, all against the
  build's locked values), with the GIL released while it compiles;
* without sources (production, where only the build folder is deployed):
  from the build folder alone (`_runtime_check`).

The values are the built runtime values with the file laid over them (a
file naming only some paths keeps the others at their built values), as
`check-runtime` reads an update.

Why it cannot break a service:

* every look at the file is one call into the extension with the GIL
  released (stat, bounded read, hash, stat again): a process whose threads
  keep the GIL busy still gets its updates, and a file that changes while it
  is read is looked at again rather than used;
* a FIFO, device, folder or a file over `max_bytes` is refused without being
  read; memory stays bounded by `max_bytes`;
* a refused file (invalid, truncated, half-written, missing) leaves the
  values as they were. A refused state is reported to `on_error` once it has
  stayed the same for two looks (a writer's intermediate states are not
  errors) and once per state; `reload()` reports at once;
* readers get one immutable `Snapshot`, swapped whole by one reference
  assignment: no lock on the read path, no mix of two versions.
"""

from __future__ import annotations

import copy
import json
import logging
import threading
import weakref
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from . import _mcfg
from . import _runtime_check as rc
from ._core import _call, _check_str, _dir, _entry, _path, _read_verified, _sources, compile, manifest
from ._errors import Diagnostic, UsageError

log = logging.getLogger("mcfg.runtime")

#: Largest runtime file read; a larger one is refused (`mcfg::limit`) unread.
MAX_RUNTIME_BYTES = 16 << 20

#: `reload()` looks again this many times at a file caught while it is written.
_RELOAD_TRIES = 5

Sig = Tuple[int, int, int, int, int, int]

_HELP = {
    "io": "write the runtime file; replace it by rename (a temporary file beside it, then rename it over)",
    "limit": "a runtime file is a regular JSON file of the @runtime fields, replaced by rename",
}


class Snapshot:
    """One immutable version of the runtime values: read several values from
    one snapshot to see them together."""

    __slots__ = ("_values", "version", "sha256")

    def __init__(self, values: Dict[str, Any], version: int, sha256: str) -> None:
        self._values = values
        self.version = version
        self.sha256 = sha256

    def get(self, path: str, default: Any = None) -> Any:
        """The value at the dotted `path` (a copy for lists and objects), else `default`."""
        if not isinstance(path, str):
            raise TypeError(f"`path` must be a string, not {type(path).__name__}")
        v = rc.get(self._values, path.split("."))
        if v is rc.MISSING:
            return default
        return copy.deepcopy(v) if isinstance(v, (dict, list)) else v

    def __getitem__(self, path: str) -> Any:
        v = self.get(path, rc.MISSING)
        if v is rc.MISSING:
            raise KeyError(path)
        return v

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and self.get(path, rc.MISSING) is not rc.MISSING

    def to_dict(self) -> Dict[str, Any]:
        """A copy of every value."""
        return copy.deepcopy(self._values)


class RuntimeConfig:
    """The current values of `<config>.runtime.json` of a build, reloaded when the file changes."""

    def __init__(
        self,
        build_dir: Any,
        config: Optional[str] = None,
        env: Optional[str] = None,
        watch: bool = True,
        *,
        sources: Any = None,
        root: Any = None,
        schema: Any = None,
        interval: float = 0.05,
        max_bytes: int = MAX_RUNTIME_BYTES,
    ) -> None:
        _check_str("config", config)
        _check_str("env", env)
        if not isinstance(watch, bool):
            raise TypeError(f"`watch` must be a bool, not {type(watch).__name__}")
        if not isinstance(interval, (int, float)) or isinstance(interval, bool) or interval <= 0:
            raise TypeError("`interval` must be a positive number of seconds")
        if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes <= 0:
            raise TypeError("`max_bytes` must be a positive int")
        d = _dir(build_dir)
        entry = _entry(manifest(d), d, config, env)
        self.config: str = entry["config"]
        self.env: Optional[str] = entry.get("env")
        self._runtime_paths: List[str] = list(entry.get("runtime") or [])
        if not self._runtime_paths or not entry.get("runtime_path"):
            raise UsageError(f"config `{self.config}` has no @runtime fields: nothing to reload")
        self.path: Path = d / entry["runtime_path"]
        self._built: Dict[str, Any] = json.loads(_read_verified(d, entry["path"], entry.get("sha256"), True))
        self._sources = None if sources is None else _sources(sources)
        self._root = None if root is None else _path("root", root)
        if self._sources is not None:
            compiled = compile(self._sources, config=self.config, env=self.env, root=self._root)
            if compiled != self._built:
                raise UsageError(
                    f"the sources do not compile to the build's artifact {d / entry['path']}: "
                    "give the sources the build was made from (or none, to validate from the build folder)"
                )
        self._schema = self._read_schema(schema)
        base: Dict[str, Any] = {}
        for p in self._runtime_paths:
            v = rc.get(self._built, p.split("."))
            if v is not rc.MISSING:
                rc.put(base, p.split("."), copy.deepcopy(v))
        self._base = base
        self._max_bytes = max_bytes
        self._interval = float(interval)
        self._apply_lock = threading.RLock()  # one look-check-apply at a time
        self._snap = Snapshot(base, 0, "")
        self._on_change: List[Callable[[Dict[str, Any], Dict[str, Any]], None]] = []
        self._on_error: List[Callable[[List[Diagnostic]], None]] = []
        self._seen_sig: Optional[Sig] = None
        self._seen_hash: Optional[str] = None
        self._pending: Optional[Tuple[Any, List[Diagnostic]]] = None
        self._reported: Any = rc.MISSING
        self._mid_write = False
        self.last_error: Optional[List[Diagnostic]] = None
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._poll(report_now=True)
        if watch:
            self._thread = threading.Thread(
                target=_watch, args=(weakref.ref(self), self._stop, self._interval),
                name=f"mcfg-runtime-{self.config}", daemon=True,
            )
            self._thread.start()

    def _read_schema(self, schema: Any) -> Optional[Dict[str, Any]]:
        path = Path(_path("schema", schema)) if schema is not None else \
            self.path.with_name(f"{self.config}.runtime.schema.json")
        if schema is None and not path.is_file():
            return None
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise UsageError(f"cannot read the runtime schema {path}: {e}") from None
        if not isinstance(doc, dict):
            raise UsageError(f"{path}: a JSON Schema must be an object")
        return doc

    # --- reading -----------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """The current version (one reference read: no lock, never a mix of two versions)."""
        return self._snap

    def __getitem__(self, path: str) -> Any:
        return self._snap[path]

    def __contains__(self, path: object) -> bool:
        return path in self._snap

    def get(self, path: str, default: Any = None) -> Any:
        return self._snap.get(path, default)

    @property
    def values(self) -> Dict[str, Any]:
        """A copy of the current values."""
        return self._snap.to_dict()

    @property
    def version(self) -> int:
        """How many updates have been applied since the start."""
        return self._snap.version

    # --- callbacks ---------------------------------------------------------------
    def on_change(self, fn: Callable[[Dict[str, Any], Dict[str, Any]], None]) -> Callable[..., None]:
        """Call `fn(old, new)` after each valid update is applied (usable as a decorator)."""
        if not callable(fn):
            raise TypeError("`fn` must be callable")
        self._on_change.append(fn)
        return fn

    def on_error(self, fn: Callable[[List[Diagnostic]], None]) -> Callable[..., None]:
        """Call `fn(diagnostics)` when an update is refused (the values stay as they were)."""
        if not callable(fn):
            raise TypeError("`fn` must be callable")
        self._on_error.append(fn)
        return fn

    # --- updating ----------------------------------------------------------------
    def reload(self) -> bool:
        """Read the file now; True when a new version was applied. A refused file
        is reported to `on_error` (and `last_error`) at once."""
        for attempt in range(_RELOAD_TRIES):
            applied = self._poll(report_now=True, force=True)
            if not self._mid_write:
                return applied
            self._stop.wait(0.01 * (attempt + 1))
        return False

    def close(self) -> None:
        """Stop watching."""
        self._stop.set()
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join()

    def __enter__(self) -> "RuntimeConfig":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        stop = getattr(self, "_stop", None)
        if stop is not None:
            stop.set()

    def _poll(self, report_now: bool, force: bool = False) -> bool:
        with self._apply_lock:
            seen = None if force else self._seen_sig
            kind, sig, payload, digest = _mcfg.look_runtime_file(str(self.path), self._max_bytes, seen)
            pending = self._pending
            self._mid_write = kind == "changed"
            if kind == "changed":
                return False  # caught while written: look again at the next poll
            if kind in ("io", "limit"):
                assert isinstance(payload, str), "the extension gives the reason as text"
                diag = self._d(f"mcfg::{kind}", f"{payload}; values unchanged", 1, 1, _HELP[kind])
                return self._refuse(("refused", sig, payload), [diag], report_now)
            if kind == "unchanged":
                digest = self._seen_hash
            if digest == self._seen_hash and not force:
                self._seen_sig = sig
                if pending is not None and pending[0] == digest:
                    return self._refuse(digest, pending[1], False)
                if self._reported != digest:
                    # Back at a known state: a refusal seen before is news again if it recurs.
                    self._pending, self._reported = None, rc.MISSING
                return False
            self._seen_sig, self._seen_hash = sig, digest
            assert isinstance(payload, bytes) and digest is not None, "a read gives bytes and their hash"
            try:
                values = self._validate(payload)
            except rc.Refused as r:
                return self._refuse(digest, r.diagnostics, report_now)
            self._pending = None
            self._reported = rc.MISSING
            return self._apply(values, digest)

    def _refuse(self, state: Any, diags: List[Diagnostic], report_now: bool) -> bool:
        # `state` names what was refused (the content's hash, or why the file
        # could not be read): reported when seen twice in a row, and once.
        if report_now:
            self._pending = None
            self._reported = state
            self._report(diags)
        elif state == self._reported:
            pass
        elif self._pending is not None and self._pending[0] == state:
            self._pending = None
            self._reported = state
            self._report(diags)
        else:
            self._pending = (state, diags)
        return False

    def _report(self, diags: List[Diagnostic]) -> None:
        self.last_error = diags
        for fn in list(self._on_error):
            try:
                fn(list(diags))
            except Exception:  # noqa: BLE001 - a callback's bug must not stop the watcher
                log.exception("mcfg: on_error callback failed")

    def _apply(self, values: Dict[str, Any], digest: str) -> bool:
        old = self._snap
        if values == old._values:
            self._snap = Snapshot(old._values, old.version, digest)
            return False
        new = Snapshot(values, old.version + 1, digest)
        self._snap = new  # the one swap readers see
        self.last_error = None
        for fn in list(self._on_change):
            try:
                fn(old.to_dict(), new.to_dict())
            except Exception:  # noqa: BLE001
                log.exception("mcfg: on_change callback failed")
        return True

    # --- validation --------------------------------------------------------------
    def _d(self, code: str, msg: str, line: int, col: int, help: Optional[str] = None) -> Diagnostic:
        return Diagnostic(code=code, message=msg, file=str(self.path), line=line, column=col,
                          help=help, config=self.config, env=self.env)

    def _validate(self, data: bytes) -> Dict[str, Any]:
        text, doc = rc.parse(data, self._d)
        if self._sources is not None:
            rep = _call(_mcfg.check_runtime_json(
                self._sources, self._root, self.config, self.env, str(self.path), text))
            if rep["diagnostics"]:
                raise rc.Refused([Diagnostic._from_json(d) for d in rep["diagnostics"]])
        else:
            rc.check_structure(doc, text, self._built, self._runtime_paths, self.config,
                               self._schema is not None, self._d)
        values = copy.deepcopy(self._base)
        for parts, v in rc.leaves(doc, []):
            rc.put(values, parts, v)
        problems = rc.schema_problems(self._schema, values)
        if problems:
            raise rc.Refused([self._d("mcfg::constraint", f"`{p}`: {m}", 1, 1) for p, m in problems])
        return values


def _watch(ref: "weakref.ref[RuntimeConfig]", stop: threading.Event, interval: float) -> None:
    # Holds the RuntimeConfig only while it polls, so an unused one is
    # collected (and its watcher ends) like any object.
    while not stop.wait(interval):
        rt = ref()
        if rt is None:
            return
        try:
            rt._poll(report_now=False)
        except Exception:  # noqa: BLE001 - the watcher must outlive any bug
            log.exception("mcfg: runtime watcher of %s", rt.path)
        del rt
