"""compile, compile_all, load, load_bundle and manifest."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

from . import _mcfg
from ._errors import UsageError, VerifyError, _raise

PathLike = Union[str, "os.PathLike[str]"]
Sources = Union[PathLike, Sequence[PathLike]]


def _check_str(name: str, value: Any, optional: bool = True) -> Optional[str]:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        kind = "a string or None" if optional else "a string"
        raise TypeError(f"`{name}` must be {kind}, not {type(value).__name__}")
    return value


def _path(name: str, value: Any) -> str:
    if isinstance(value, (str, os.PathLike)):
        p = os.fspath(value)
        if isinstance(p, str):
            return p
    raise TypeError(f"`{name}` must be a path (str or os.PathLike), not {type(value).__name__}")


def _sources(value: Any) -> List[str]:
    if isinstance(value, (str, os.PathLike)):
        return [_path("sources", value)]
    if isinstance(value, (list, tuple)):
        if not value:
            raise UsageError("`sources` is empty: give a file or a folder of .mcfg files")
        return [_path("sources", v) for v in value]
    raise TypeError(
        f"`sources` must be a path or a list of paths, not {type(value).__name__}"
    )


def _overrides(value: Any) -> List[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise TypeError(
            f"`overrides` must be a list of strings such as \"serving.batch_size=64\", "
            f"not {type(value).__name__}"
        )
    out = []
    for v in value:
        if not isinstance(v, str):
            raise TypeError(f"`overrides` must hold strings, not {type(v).__name__}")
        out.append(v)
    return out


def _call(payload: str) -> Any:
    doc = json.loads(payload)
    if "err" in doc:
        _raise(doc["err"])
    return doc["ok"]


_ENV_PREFIX = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*):(.*)$", re.S)


def _relative(config: Optional[str], override: str) -> str:
    """`PATH=EXPR` relative to `config` as the CLI's `[ENV:]CONFIG.PATH=EXPR`."""
    if config is None:
        return override
    env = ""
    m = _ENV_PREFIX.match(override)
    if m and "=" not in m.group(1):
        env, override = m.group(1) + ":", m.group(2)
    if override.startswith("~"):
        return f"{env}~{config}.{override[1:]}"
    return f"{env}{config}.{override}"


def _compiled(sources: Any, root: Any, overrides: Any, config: Optional[str] = None) -> Dict[str, Any]:
    paths = _sources(sources)
    root_s = None if root is None else _path("root", root)
    sets = [_relative(config, o) for o in _overrides(overrides)]
    out: Dict[str, Any] = _call(_mcfg.compile_json(paths, root_s, sets))
    return out


def _pick(compiled: Dict[str, Any], config: Optional[str], env: Optional[str]) -> Dict[str, Any]:
    arts = compiled["artifacts"]
    envs = compiled["envs"]
    configs = list(dict.fromkeys(a["config"] for a in arts))
    if config is None:
        if len(configs) != 1:
            raise UsageError(
                f"give `config=`: the sources emit {len(configs)} configs ({', '.join(configs) or 'none'})"
            )
        config = configs[0]
    if config not in configs:
        raise UsageError(f"no emitted config `{config}` (emitted: {', '.join(configs) or 'none'})")
    if env is None and envs:
        raise UsageError(f"give `env=`: the sources declare environments ({', '.join(envs)})")
    if env is not None and env not in envs:
        raise UsageError(
            f"unknown environment `{env}` (declared: {', '.join(envs) or 'none'})"
        )
    for a in arts:
        if a["config"] == config and a["env"] == env:
            picked: Dict[str, Any] = a
            return picked
    raise UsageError(f"config `{config}` is not emitted in environment `{env}`")


def compile(
    sources: Sources,
    config: Optional[str] = None,
    env: Optional[str] = None,
    overrides: Optional[Sequence[str]] = None,
    *,
    root: Optional[PathLike] = None,
) -> Dict[str, Any]:
    """Compile `sources` and return one config's artifact as a dict (JSON types, durations in seconds).

    `config` may be left out when the sources emit one config; `env` is required
    when they declare environments. `overrides` are `--set` arguments relative
    to `config` (`"serving.batch_size=64"`, `"prod:serving.replicas=2"`,
    `"~serving.canary"`). Raises `CompileError` with every diagnostic.
    """
    _check_str("config", config)
    _check_str("env", env)
    value: Dict[str, Any] = _pick(_compiled(sources, root, overrides, config), config, env)["value"]
    return value


def compile_all(
    sources: Sources,
    overrides: Optional[Sequence[str]] = None,
    *,
    root: Optional[PathLike] = None,
) -> Dict[Optional[str], Dict[str, Dict[str, Any]]]:
    """Every emitted config in every environment: `{env: {config: dict}}`.

    `overrides` name their config as on the command line (`"ranker.serving.batch_size=64"`).
    Without declared environments the only key is `None`.
    """
    out: Dict[Optional[str], Dict[str, Dict[str, Any]]] = {}
    compiled = _compiled(sources, root, overrides)
    for e in compiled["envs"] or [None]:
        out[e] = {}
    for a in compiled["artifacts"]:
        out.setdefault(a["env"], {})[a["config"]] = a["value"]
    return out


_MAX_ARTIFACT_BYTES = 1 << 30


def _dir(build_dir: Any) -> Path:
    d = Path(_path("build_dir", build_dir))
    if not d.is_dir():
        raise UsageError(f"{d} is not a folder (give the output folder of `mcfg build`)")
    return d


def manifest(build_dir: PathLike) -> Dict[str, Any]:
    """The build's manifest.json as a dict."""
    d = _dir(build_dir)
    p = d / "manifest.json"
    if not p.is_file():
        raise UsageError(f"{p} does not exist: {d} is not the output folder of `mcfg build`")
    try:
        doc = json.loads(p.read_bytes())
    except (ValueError, OSError) as e:
        raise VerifyError(f"{p} is not a valid mcfg manifest: {e}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("artifacts"), list):
        raise VerifyError(f"{p} is not a valid mcfg manifest: no `artifacts` list")
    return doc


def _entry(man: Dict[str, Any], d: Path, config: Optional[str], env: Optional[str]) -> Dict[str, Any]:
    arts = [a for a in man["artifacts"] if isinstance(a, dict)]
    configs = list(dict.fromkeys(a.get("config") for a in arts))
    envs = man.get("environments") or []
    if config is None:
        if len(configs) != 1:
            raise UsageError(f"give `config=`: {d} holds {len(configs)} configs ({', '.join(map(str, configs))})")
        config = configs[0]
    if env is None and envs:
        raise UsageError(f"give `env=`: the build has environments ({', '.join(envs)})")
    for a in arts:
        if a.get("config") == config and a.get("env") == env:
            return a
    raise UsageError(
        f"{d} has no artifact for config `{config}`"
        + (f" in environment `{env}`" if env else "")
        + f" (configs: {', '.join(map(str, configs)) or 'none'})"
    )


def _read_verified(d: Path, rel: str, sha: Optional[str], verify: bool) -> bytes:
    p = d / rel
    try:
        data = p.read_bytes()
    except OSError as e:
        raise VerifyError(f"{p}: listed in the manifest but cannot be read: {e}") from None
    if verify:
        got = hashlib.sha256(data).hexdigest()
        if got != sha:
            raise VerifyError(
                f"{p}: sha256 {got} is not the manifest's {sha}; "
                "the artifact was changed after the build (rebuild, or `mcfg verify` the folder)"
            )
    return data


def load(
    build_dir: PathLike,
    config: Optional[str] = None,
    env: Optional[str] = None,
    verify: bool = True,
) -> Dict[str, Any]:
    """Read a built artifact (JSON) as a dict, refusing one whose hash is not the manifest's."""
    _check_str("config", config)
    _check_str("env", env)
    if not isinstance(verify, bool):
        raise TypeError(f"`verify` must be a bool, not {type(verify).__name__}")
    d = _dir(build_dir)
    man = manifest(d)
    if man.get("bundles"):
        bundle, config = _bundle_for(man, d, config, env, verify)
        value: Dict[str, Any] = bundle[config]
        return value
    entry = _entry(man, d, config, env)
    rel = entry.get("path", "")
    if not rel.endswith(".json"):
        raise UsageError(f"{rel}: `load` reads JSON artifacts; build with `--format json`")
    data = _read_verified(d, rel, entry.get("sha256"), verify)
    try:
        doc: Dict[str, Any] = json.loads(data)
    except ValueError as e:
        raise VerifyError(f"{d / rel}: not valid JSON: {e}") from None
    return doc


def _bundle_entry(man: Dict[str, Any], d: Path, env: Optional[str]) -> Dict[str, Any]:
    bundles = [b for b in man.get("bundles") or [] if isinstance(b, dict)]
    envs = man.get("environments") or []
    if env is None and envs:
        raise UsageError(f"give `env=`: the build has environments ({', '.join(envs)})")
    for b in bundles:
        if b.get("env") == env:
            return b
    raise UsageError(
        f"{d} has no bundle" + (f" for environment `{env}`" if env else "")
        + f" (bundles: {', '.join(str(b.get('path')) for b in bundles) or 'none'})"
    )


def _read_bundle(d: Path, b: Dict[str, Any], verify: bool) -> Dict[str, Any]:
    rel = b.get("path", "")
    if not rel.endswith(".json"):
        raise UsageError(f"{rel}: `load` reads JSON bundles; build with `--format json`")
    data = _read_verified(d, rel, b.get("sha256"), verify)
    try:
        doc = json.loads(data)
    except ValueError as e:
        raise VerifyError(f"{d / rel}: not valid JSON: {e}") from None
    if not isinstance(doc, dict):
        raise VerifyError(f"{d / rel}: a bundle is a JSON object keyed by config name")
    return doc


def _bundle_for(
    man: Dict[str, Any], d: Path, config: Optional[str], env: Optional[str], verify: bool
) -> "tuple[Dict[str, Any], str]":
    b = _bundle_entry(man, d, env)
    configs = [c for c in b.get("configs") or [] if isinstance(c, str)]
    if config is None:
        if len(configs) != 1:
            raise UsageError(f"give `config=`: {d / b.get('path', '')} holds {len(configs)} configs ({', '.join(configs)})")
        config = configs[0]
    if config not in configs:
        raise UsageError(
            f"{d} has no artifact for config `{config}`"
            + (f" in environment `{env}`" if env else "")
            + f" (configs: {', '.join(configs) or 'none'})"
        )
    doc = _read_bundle(d, b, verify)
    if not isinstance(doc.get(config), dict):
        raise VerifyError(f"{d / b.get('path', '')}: no object under `{config}`")
    return doc, config


def load_bundle(
    build_dir: PathLike,
    env: Optional[str] = None,
    verify: bool = True,
) -> Dict[str, Dict[str, Any]]:
    """Read one environment's bundle of a `mcfg build --bundle` folder: `{config: dict}`.

    The bundle's hash must be the manifest's unless `verify=False`.
    """
    _check_str("env", env)
    if not isinstance(verify, bool):
        raise TypeError(f"`verify` must be a bool, not {type(verify).__name__}")
    d = _dir(build_dir)
    man = manifest(d)
    if not man.get("bundles"):
        raise UsageError(f"{d} is not a `--bundle` build (its manifest lists no bundles); use `load`")
    return _read_bundle(d, _bundle_entry(man, d, env), verify)
