"""Checked by `mypy --strict` in CI (.ci/run), not run: the package's types as
an editor sees them. A `type: ignore[...]` line must really be an error (under
--strict an unneeded ignore is one), so the wrong calls below prove the
stubs reject them."""

from pathlib import Path
from typing import Any, Dict, List, Optional

import mcfg
import mcfg.mlflow


def use(build: Path) -> None:
    cfg: Dict[str, Any] = mcfg.compile("configs", config="trainer", env="prod", overrides=["epochs=3"])
    every: Dict[Optional[str], Dict[str, Dict[str, Any]]] = mcfg.compile_all(["configs"])
    loaded: Dict[str, Any] = mcfg.load(build, config="trainer", env="prod", verify=True)
    man: Dict[str, Any] = mcfg.manifest(build)
    rt = mcfg.RuntimeConfig(build, config="trainer", env="prod", watch=False, interval=0.1)
    snap: mcfg.Snapshot = rt.snapshot()
    timeout: Any = snap["timeout"]
    version: int = rt.version

    def changed(old: Dict[str, Any], new: Dict[str, Any]) -> None: ...

    def refused(diagnostics: List[mcfg.Diagnostic]) -> None:
        for d in diagnostics:
            line: int = d.line
            code: str = d.code
            del line, code

    rt.on_change(changed)
    rt.on_error(refused)
    applied: bool = rt.reload()
    try:
        mcfg.compile("configs")
    except mcfg.CompileError as e:
        first: mcfg.Diagnostic = e.diagnostics[0]
        del first
    tags: Dict[str, Any] = mcfg.mlflow.log_build(build, config="trainer", env="prod")
    ver: str = mcfg.__version__
    del cfg, every, loaded, man, timeout, version, applied, tags, ver

    mcfg.compile("configs", config=1)  # type: ignore[arg-type]
    mcfg.load(build, verify="yes")  # type: ignore[arg-type]
    rt.on_error(changed)  # type: ignore[arg-type]
    bad: str = rt.version  # type: ignore[assignment]
    del bad
