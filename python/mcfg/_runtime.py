"""`RuntimeConfig`: the runtime tier of a build, hot-reloaded and validated.

How an update is validated (the contract leaves the choice open):

* with `sources=` (the sources the build was made from, checked at start to
  compile to the build's artifact): exactly `mcfg check-runtime`, through the
  extension: types, refinements, every schema `check`, tiers, all against the
  build's locked values;
* without sources (production, where only the build folder is deployed):
  from the build folder alone. The hash-verified artifact gives the locked
  values and the type of every runtime field; the manifest gives the runtime
  paths; a path outside them is `mcfg::tier`, a path the artifact does not
  have `mcfg::unknown-field`, a value of another JSON type than the built one
  `mcfg::type-mismatch`. When the runtime JSON Schema sits in the folder
  (`<config>.runtime.schema.json` beside the runtime file, or `schema=`),
  the merged values are also checked against it (refinements as bounds,
  patterns, enums, consts): `mcfg::constraint`. Cross-field `check`s need the
  sources.

The values are the built runtime values with the file laid over them (a
file naming only some paths keeps the others at their built values), as
`check-runtime` reads an update.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
import stat
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from . import _mcfg
from ._core import _call, _check_str, _dir, _entry, _path, _read_verified, _sources, compile, manifest
from ._errors import Diagnostic, Error, UsageError
from ._jsonschema import validate as _schema_validate

log = logging.getLogger("mcfg.runtime")

#: Largest runtime file read; a larger one is refused (`mcfg::limit`) unread.
MAX_RUNTIME_BYTES = 16 << 20

_MISSING = object()


class _Refused(Exception):
    def __init__(self, diagnostics: List[Diagnostic]) -> None:
        super().__init__(diagnostics)
        self.diagnostics = diagnostics


def _diag(code: str, message: str, file: str, line: int = 1, column: int = 1, help: Optional[str] = None,
          config: Optional[str] = None, env: Optional[str] = None) -> Diagnostic:
    return Diagnostic(code=code, message=message, file=file, line=line, column=column,
                      help=help, config=config, env=env)


class Snapshot:
    """One immutable version of the runtime values."""

    __slots__ = ("_values", "version", "sha256")

    def __init__(self, values: Dict[str, Any], version: int, sha256: str) -> None:
        self._values = values
        self.version = version
        self.sha256 = sha256

    def get(self, path: str, default: Any = None) -> Any:
        cur: Any = self._values
        for part in path.split("."):
            if not isinstance(cur, dict) or part not in cur:
                return default
            cur = cur[part]
        return copy.deepcopy(cur) if isinstance(cur, (dict, list)) else cur

    def __getitem__(self, path: str) -> Any:
        v = self.get(path, _MISSING)
        if v is _MISSING:
            raise KeyError(path)
        return v

    def to_dict(self) -> Dict[str, Any]:
        return copy.deepcopy(self._values)


def _signature(path: Path) -> Optional[Tuple[int, ...]]:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_mode)


def read_bounded(path: Path, limit: int) -> bytes:
    """The file's bytes, refusing a FIFO, device, folder or a file over `limit` bytes
    without reading it (memory stays bounded by `limit`)."""
    name = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise _Refused([_diag("mcfg::io", f"cannot open the runtime file: {e.strerror}", name)]) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _Refused([_diag("mcfg::limit", "the runtime file is not a regular file "
                                  "(a FIFO, device or folder); values unchanged", name,
                                  help="write the runtime file as a regular file, replaced by rename")])
        if st.st_size > limit:
            raise _Refused([_diag("mcfg::limit", f"the runtime file is {st.st_size} bytes, over the "
                                  f"limit of {limit}; not read, values unchanged", name)])
        chunks: List[bytes] = []
        total = 0
        while True:
            b = os.read(fd, min(1 << 20, limit + 1 - total))
            if not b:
                break
            chunks.append(b)
            total += len(b)
            if total > limit:
                raise _Refused([_diag("mcfg::limit", f"the runtime file grew over the limit of "
                                      f"{limit} bytes while read; values unchanged", name)])
        return b"".join(chunks)
    finally:
        os.close(fd)


def _get(values: Any, parts: List[str]) -> Any:
    cur = values
    for p in parts:
        if not isinstance(cur, dict) or p not in cur:
            return _MISSING
        cur = cur[p]
    return cur


def _set(values: Dict[str, Any], parts: List[str], v: Any) -> None:
    cur = values
    for p in parts[:-1]:
        nxt = cur.get(p)
        if not isinstance(nxt, dict):
            nxt = cur[p] = {}
        cur = nxt
    cur[parts[-1]] = v


def _leaves(doc: Dict[str, Any], prefix: List[str]) -> List[Tuple[List[str], Any]]:
    out: List[Tuple[List[str], Any]] = []
    for k, v in doc.items():
        parts = prefix + str(k).split(".")
        if isinstance(v, dict) and v:
            out.extend(_leaves(v, parts))
        else:
            out.append((parts, v))
    return out


def _kind(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "list"
    return "object"


def _same_type(built: Any, new: Any) -> bool:
    kb, kn = _kind(built), _kind(new)
    if kb == "null":
        return True
    if kb == "float":
        return kn in ("int", "float")
    if kb == "list" and kn == "list":
        return not built or all(_same_type(built[0], x) for x in new)
    return kb == kn


def _line_col(text: str, pos: int) -> Tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


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
        schema_path = Path(_path("schema", schema)) if schema is not None else \
            self.path.with_name(f"{self.config}.runtime.schema.json")
        self._schema: Optional[Dict[str, Any]] = None
        if schema is not None or schema_path.is_file():
            try:
                self._schema = json.loads(schema_path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as e:
                raise UsageError(f"cannot read the runtime schema {schema_path}: {e}") from None
        base: Dict[str, Any] = {}
        for p in self._runtime_paths:
            v = _get(self._built, p.split("."))
            if v is not _MISSING:
                _set(base, p.split("."), copy.deepcopy(v))
        self._base = base
        self._max_bytes = max_bytes
        self._interval = float(interval)
        self._lock = threading.Lock()          # guards the snapshot reference
        self._apply_lock = threading.RLock()   # one check-and-apply at a time
        self._snap = Snapshot(base, 0, "")
        self._on_change: List[Callable[[Dict[str, Any], Dict[str, Any]], None]] = []
        self._on_error: List[Callable[[List[Diagnostic]], None]] = []
        self._seen_sig: Optional[Tuple[int, ...]] = None
        self._seen_hash: Optional[str] = None
        self._pending: Optional[Tuple[Optional[Tuple[int, ...]], List[Diagnostic]]] = None
        self._reported: Any = _MISSING
        self.last_error: Optional[List[Diagnostic]] = None
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._poll(report_now=True)
        if watch:
            self._thread = threading.Thread(target=self._watch, name=f"mcfg-runtime-{self.config}", daemon=True)
            self._thread.start()

    # --- reading -----------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """The current version: read several values from one snapshot to see them together."""
        with self._lock:
            return self._snap

    def __getitem__(self, path: str) -> Any:
        return self.snapshot()[path]

    def get(self, path: str, default: Any = None) -> Any:
        return self.snapshot().get(path, default)

    @property
    def values(self) -> Dict[str, Any]:
        """A copy of the current values."""
        return self.snapshot().to_dict()

    @property
    def version(self) -> int:
        """How many updates have been applied since the start."""
        return self.snapshot().version

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
        return self._poll(report_now=True, force=True)

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
        self._stop.set() if hasattr(self, "_stop") else None

    def _watch(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._poll(report_now=False)
            except Exception:  # noqa: BLE001 - the watcher must outlive any bug
                log.exception("mcfg: runtime watcher of %s", self.path)

    def _poll(self, report_now: bool, force: bool = False) -> bool:
        with self._apply_lock:
            sig = _signature(self.path)
            pending = self._pending
            if sig is None:
                diags = [_diag("mcfg::io", "the runtime file does not exist; values unchanged",
                               str(self.path), config=self.config, env=self.env)]
                return self._refuse(sig, diags, report_now)
            # Timestamps are coarse (a few ms): a file changed lately is re-read
            # even when its signature looks the same, and compared by content.
            hot = time.time_ns() - sig[3] < 2_000_000_000
            if sig == self._seen_sig and not hot and not force:
                if pending is not None and pending[0] == sig:
                    return self._refuse(sig, pending[1], False)
                return False
            try:
                data = read_bounded(self.path, self._max_bytes)
            except _Refused as r:
                return self._refuse(sig, r.diagnostics, report_now)
            if _signature(self.path) != sig:
                return False  # written while read: look again at the next poll
            digest = hashlib.sha256(data).hexdigest()
            if digest == self._seen_hash and not force:
                self._seen_sig = sig
                if pending is not None and pending[0] == sig:
                    return self._refuse(sig, pending[1], False)
                return False
            self._seen_sig, self._seen_hash = sig, digest
            try:
                values = self._validate(data)
            except _Refused as r:
                return self._refuse(sig, r.diagnostics, report_now)
            self._pending = None
            self._reported = _MISSING
            return self._apply(values, digest)

    def _refuse(self, sig: Any, diags: List[Diagnostic], report_now: bool) -> bool:
        # A file caught in the middle of a write is reported only once it has
        # stayed the same for a poll (a writer's intermediate states are not
        # errors), and each refused state once.
        self._seen_sig = sig
        if report_now:
            self._pending = None
            self._reported = sig
            self._report(diags)
        elif sig == self._reported:
            pass
        elif self._pending is not None and self._pending[0] == sig:
            self._pending = None
            self._reported = sig
            self._report(diags)
        else:
            self._pending = (sig, diags)
        return False

    def _report(self, diags: List[Diagnostic]) -> None:
        self.last_error = diags
        for fn in list(self._on_error):
            try:
                fn(list(diags))
            except Exception:  # noqa: BLE001
                log.exception("mcfg: on_error callback failed")

    def _apply(self, values: Dict[str, Any], digest: str) -> bool:
        with self._lock:
            old = self._snap
            if values == old._values:
                self._snap = Snapshot(old._values, old.version, digest)
                return False
            new = Snapshot(values, old.version + 1, digest)
            self._snap = new
        self.last_error = None
        for fn in list(self._on_change):
            try:
                fn(old.to_dict(), new.to_dict())
            except Exception:  # noqa: BLE001
                log.exception("mcfg: on_change callback failed")
        return True

    # --- validation --------------------------------------------------------------
    def _validate(self, data: bytes) -> Dict[str, Any]:
        name = str(self.path)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise _Refused([self._d("mcfg::syntax", f"the runtime file is not UTF-8: {e.reason}", 1, 1)]) from None
        try:
            doc = json.loads(text)
        except ValueError as e:
            line, col = (getattr(e, "lineno", 1), getattr(e, "colno", 1))
            msg = getattr(e, "msg", str(e))
            raise _Refused([self._d("mcfg::syntax", f"the runtime file is not valid JSON ({msg}): "
                                    "truncated or half-written? values unchanged", line, col)]) from None
        if not isinstance(doc, dict):
            raise _Refused([self._d("mcfg::type-mismatch", "a runtime file must be a JSON object", 1, 1)])
        if self._sources is not None:
            rep = _call(_mcfg.check_runtime_json(self._sources, self._root, self.config, self.env, name, text))
            if rep["diagnostics"]:
                raise _Refused([Diagnostic._from_json(d) for d in rep["diagnostics"]])
        else:
            self._check_structure(doc, text)
        values = copy.deepcopy(self._base)
        for parts, v in _leaves(doc, []):
            _set(values, parts, v)
        if self._schema is not None:
            problems = _schema_validate(self._schema, values)
            if problems:
                raise _Refused([self._d("mcfg::constraint", f"`{p}`: {m}", 1, 1) for p, m in problems])
        return values

    def _d(self, code: str, msg: str, line: int, col: int, help: Optional[str] = None) -> Diagnostic:
        return _diag(code, msg, str(self.path), line, col, help=help, config=self.config, env=self.env)

    def _check_structure(self, doc: Dict[str, Any], text: str) -> None:
        problems: List[Diagnostic] = []
        for parts, v in _leaves(doc, []):
            dotted = ".".join(parts)
            pos = text.find(json.dumps(parts[-1]))
            line, col = _line_col(text, pos) if pos >= 0 else (1, 1)
            if not any(dotted == r or dotted.startswith(r + ".") for r in self._runtime_paths):
                if _get(self._built, parts) is not _MISSING:
                    problems.append(self._d(
                        "mcfg::tier", f"`{dotted}` is a build-time field; a runtime update cannot change it",
                        line, col, help=f"runtime fields of `{self.config}`: {', '.join(self._runtime_paths)}"))
                else:
                    problems.append(self._d("mcfg::unknown-field", f"`{dotted}` is not a field of `{self.config}`",
                                            line, col))
                continue
            built = _get(self._built, parts)
            if built is _MISSING:
                if self._schema is None:
                    problems.append(self._d("mcfg::unknown-field",
                                            f"`{dotted}` is not in the build of `{self.config}`", line, col))
                continue
            if not _same_type(built, v):
                problems.append(self._d(
                    "mcfg::type-mismatch", f"`{dotted}` is a {_kind(built)} in the build, the update gives a {_kind(v)}",
                    line, col))
        if problems:
            raise _Refused(problems)
