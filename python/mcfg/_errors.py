"""The exception classes of the package and the diagnostics they carry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, NoReturn, Optional


@dataclass(frozen=True)
class Diagnostic:
    """One problem found by the compiler (or by a runtime-update check)."""

    code: str
    message: str
    file: str
    line: int
    column: int
    env: Optional[str] = None
    config: Optional[str] = None
    help: Optional[str] = None
    severity: str = "error"

    @classmethod
    def _from_json(cls, d: Dict[str, Any]) -> "Diagnostic":
        return cls(
            code=d["code"],
            message=d["message"],
            file=d["file"],
            line=d["line"],
            column=d["column"],
            env=d.get("env"),
            config=d.get("config"),
            help=d.get("help"),
            severity=d.get("severity", "error"),
        )

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.severity}[{self.code}]: {self.message}"


class Error(Exception):
    """Base class of every exception the package raises."""


class UsageError(Error):
    """The call cannot run: bad arguments, a path that does not exist, an unknown config."""


class CompileError(Error):
    """The sources have errors; `.diagnostics` lists every one of them."""

    def __init__(self, diagnostics: List[Diagnostic], rendered: str = "") -> None:
        self.diagnostics = list(diagnostics)
        self.rendered = rendered or "\n".join(str(d) for d in self.diagnostics)
        super().__init__(self.rendered)

    def __str__(self) -> str:
        return self.rendered


class VerifyError(Error):
    """An artifact does not match the hash recorded in its build's manifest."""


class InternalError(Error):
    """A bug in mcfg (a Rust panic, caught). Please report it with its input."""


def _raise(err: Dict[str, Any]) -> NoReturn:
    if "Usage" in err:
        raise UsageError(err["Usage"])
    if "Compile" in err:
        rep = err["Compile"]
        raise CompileError(
            [Diagnostic._from_json(d) for d in rep["diagnostics"]], rep["rendered"]
        )
    raise InternalError(err.get("Internal", str(err)))
