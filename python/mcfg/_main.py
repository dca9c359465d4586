"""`@mcfg.main`: a Hydra-style entry point (`python train.py optim.lr=0.01 env=staging`)."""

from __future__ import annotations

import functools
import sys
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, TypeVar

from . import _mcfg
from ._core import PathLike, Sources, _call, _check_str, _sources, compile
from ._errors import CompileError, Error, UsageError

R = TypeVar("R")

USAGE = """\
usage: {prog} [env=ENV] [config=CONFIG] [PATH=EXPR ...] [~PATH ...]

  PATH=EXPR   override a field of the config (an mcfg expression: 0.01, "gpu", [1, 2])
  ENV:PATH=EXPR  override it in one environment only
  ~PATH       unset an optional field
  env=ENV     the environment to compile for{env_default}
  config=C    the config to compile{config_default}
"""


def parse_argv(argv: Sequence[str]) -> Tuple[Optional[str], Optional[str], List[str], bool]:
    """Split Hydra-style arguments into (env, config, overrides, help)."""
    env = config = None
    overrides: List[str] = []
    want_help = False
    for arg in argv:
        if arg in ("-h", "--help"):
            want_help = True
        elif arg.startswith("env="):
            env = arg[len("env="):]
        elif arg.startswith("config="):
            config = arg[len("config="):]
        elif arg.startswith("~") or "=" in arg:
            overrides.append(arg)
        else:
            raise UsageError(
                f"`{arg}` is not an override: write PATH=EXPR (e.g. optim.lr=0.01), "
                "~PATH, env=ENV or config=CONFIG"
            )
    return env, config, overrides, want_help


def _type_of(s: Dict[str, Any]) -> str:
    if "const" in s:
        return repr(s["const"])
    if "enum" in s:
        return " | ".join(repr(v) for v in s["enum"])
    for key in ("anyOf", "oneOf"):
        if key in s:
            return " | ".join(_type_of(m) for m in s[key])
    t = s.get("type", "any")
    if isinstance(t, list):
        t = " | ".join(t)
    if t == "array" and isinstance(s.get("items"), dict):
        t = f"list[{_type_of(s['items'])}]"
    bounds = []
    for k, sym in (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="), ("exclusiveMaximum", "<")):
        if k in s:
            bounds.append(f"{sym} {s[k]}")
    return f"{t}({', '.join(bounds)})" if bounds else str(t)


def fields(schema: Dict[str, Any], prefix: str = "") -> List[Tuple[str, str, str]]:
    """(dotted path, type, doc) of each field of a config's JSON Schema, in order."""
    out: List[Tuple[str, str, str]] = []
    for name, sub in (schema.get("properties") or {}).items():
        path = f"{prefix}{name}"
        doc = (sub.get("description") or "").strip().replace("\n", " ")
        if sub.get("type") == "object" and "properties" in sub:
            if doc:
                out.append((path, "object", doc))
            out.extend(fields(sub, path + "."))
        else:
            out.append((path, _type_of(sub), doc))
    return out


def _lookup(values: Any, path: str) -> Tuple[bool, Any]:
    cur = values
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return False, None
        cur = cur[part]
    return True, cur


def help_text(
    sources: Sources,
    config: Optional[str],
    env: Optional[str],
    prog: str,
    root: Optional[PathLike] = None,
) -> str:
    """The `--help` of an `@mcfg.main` script: the config's fields, types, docs and values."""
    text = USAGE.format(
        prog=prog,
        env_default=f" (default: {env})" if env else "",
        config_default=f" (default: {config})" if config else "",
    )
    schemas = _call(_mcfg.schemas_json(_sources(sources), None if root is None else str(root)))
    if config is None and len(schemas) == 1:
        config = next(iter(schemas))
    schema = schemas.get(config or "")
    if schema is None:
        return text + f"\nconfigs: {', '.join(schemas)}\n"
    try:
        values: Any = compile(sources, config=config, env=env, root=root)
    except Error:
        values = None
    text += f"\nfields of `{config}`" + (f" in env {env}" if env else "") + ":\n"
    rows = fields(schema)
    width = max((len(p) for p, _, _ in rows), default=0)
    twidth = min(max((len(t) for _, t, _ in rows), default=0), 28)
    for path, ty, doc in rows:
        line = f"  {path:<{width}}  {ty:<{twidth}}"
        found, v = _lookup(values, path) if values is not None else (False, None)
        if found and not isinstance(v, dict):
            line += f"  = {v!r}"
        if doc:
            line += f"  # {doc}"
        text += line.rstrip() + "\n"
    return text


def main(
    sources: Sources,
    config: Optional[str] = None,
    env: Optional[str] = None,
    *,
    root: Optional[PathLike] = None,
) -> Callable[[Callable[[Dict[str, Any]], R]], Callable[..., R]]:
    """Decorate `fn(cfg)`; calling it with no arguments compiles the config from
    `sources` with the overrides on the command line (`sys.argv[1:]`) and passes it.

    Errors in the sources print their diagnostics and exit 1; bad arguments exit 2.
    """
    _sources(sources)
    _check_str("config", config)
    _check_str("env", env)

    def decorate(fn: Callable[[Dict[str, Any]], R]) -> Callable[..., R]:
        @functools.wraps(fn)
        def wrapper(*args: Any, argv: Optional[Sequence[str]] = None, **kwargs: Any) -> R:
            if args or kwargs:
                return fn(*args, **kwargs)
            prog = sys.argv[0] if sys.argv else "script"
            try:
                e, c, overrides, want_help = parse_argv(sys.argv[1:] if argv is None else argv)
                if want_help:
                    sys.stdout.write(help_text(sources, c or config, e or env, prog, root))
                    raise SystemExit(0)
                cfg = compile(sources, config=c or config, env=e or env, overrides=overrides, root=root)
            except CompileError as err:
                sys.stderr.write(str(err))
                raise SystemExit(1) from None
            except Error as err:
                sys.stderr.write(f"{prog}: {err}\n")
                raise SystemExit(2) from None
            return fn(cfg)

        return wrapper

    return decorate
