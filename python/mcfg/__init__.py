"""mcfg: typed configuration for ML systems, compiled by the mcfg compiler (Rust, in-process).

See docs/python.md.
"""

from ._core import compile, compile_all, load, load_bundle, manifest
from ._errors import CompileError, Diagnostic, Error, InternalError, UsageError, VerifyError
from ._main import main
from ._runtime import RuntimeConfig, Snapshot
from ._mcfg import version as _version

__version__ = _version()

__all__ = [
    "compile",
    "compile_all",
    "load",
    "load_bundle",
    "manifest",
    "main",
    "RuntimeConfig",
    "Snapshot",
    "Diagnostic",
    "Error",
    "CompileError",
    "VerifyError",
    "UsageError",
    "InternalError",
]
