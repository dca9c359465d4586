"""`mcfg.mlflow.log_build`: record which configuration trained which model.

Needs the `mlflow` extra (`pip install ./python[mlflow]`).
"""

from __future__ import annotations

import hashlib
import importlib
import json
from typing import Any, Dict, Optional

from ._core import _check_str, _dir, _entry, _read_verified, manifest
from ._errors import UsageError


def log_build(
    build_dir: Any,
    config: Optional[str] = None,
    env: Optional[str] = None,
    *,
    log_params: bool = True,
) -> Dict[str, Any]:
    """Log one artifact of a build to the active MLflow run (one is started if none is).

    Logged: the artifact file (under `mcfg/`) and the manifest; tags
    `mcfg.config`, `mcfg.env`, `mcfg.sha256` (the manifest's hash, verified),
    `mcfg.commit` and `mcfg.dirty` (the sources' git state), `mcfg.overrides`
    (JSON list, from the manifest); with `log_params`, every leaf of the
    artifact as a dotted parameter. Returns the tags.
    """
    _check_str("config", config)
    _check_str("env", env)
    if not isinstance(log_params, bool):
        raise TypeError(f"`log_params` must be a bool, not {type(log_params).__name__}")
    d = _dir(build_dir)
    man = manifest(d)
    entry = _entry(man, d, config, env)
    data = _read_verified(d, entry["path"], entry.get("sha256"), True)
    try:
        mlflow: Any = importlib.import_module("mlflow")  # optional dependency
    except ImportError:
        raise UsageError("mcfg.mlflow needs MLflow: pip install 'mcfg[mlflow]'") from None
    git = man.get("git") or {}
    overrides = entry.get("overrides", man.get("overrides", []))
    tags = {
        "mcfg.config": entry["config"],
        "mcfg.env": entry.get("env") or "",
        "mcfg.sha256": hashlib.sha256(data).hexdigest(),
        "mcfg.commit": git.get("commit") or "",
        "mcfg.dirty": str(bool(git.get("dirty"))).lower(),
        "mcfg.overrides": json.dumps(overrides, sort_keys=True),
        "mcfg.compiler": man.get("compiler", ""),
    }
    if mlflow.active_run() is None:
        mlflow.start_run()
    mlflow.set_tags(tags)
    sub = "mcfg/" + (entry.get("env") or "")
    mlflow.log_artifact(str(d / entry["path"]), artifact_path=sub.rstrip("/"))
    mlflow.log_artifact(str(d / "manifest.json"), artifact_path="mcfg")
    if log_params and entry["path"].endswith(".json"):
        params = _flatten(json.loads(data))
        items = list(params.items())
        for i in range(0, len(items), 100):
            mlflow.log_params(dict(items[i : i + 100]))
    return tags


def _flatten(v: Any, prefix: str = "") -> Dict[str, str]:
    out: Dict[str, str] = {}
    if isinstance(v, dict):
        for k, x in v.items():
            out.update(_flatten(x, f"{prefix}{k}."))
    else:
        out[prefix[:-1]] = json.dumps(v) if not isinstance(v, str) else v
    return out
