# Type stubs of the extension module `mcfg._mcfg` (python/src/lib.rs).
# Every function returns JSON text (`{"ok": ...}` or `{"err": ...}`) decoded
# by the package; none raises on bad input.
from typing import List, Optional, Sequence, Tuple, Union
import os

_Sig = Tuple[int, int, int, int, int, int]

def compile_json(paths: Sequence[str], root: Optional[str], overrides: Sequence[str]) -> str: ...
def schemas_json(paths: Sequence[str], root: Optional[str]) -> str: ...
def check_runtime_json(
    paths: Sequence[str],
    root: Optional[str],
    config: str,
    env: Optional[str],
    update_name: str,
    update_text: str,
) -> str: ...
def look_runtime_file(
    path: Union[str, "os.PathLike[str]"], limit: int, seen: Optional[_Sig]
) -> Tuple[str, Optional[_Sig], Optional[Union[bytes, str]], Optional[str]]: ...
def cli_main(argv: List[str]) -> int: ...
def version() -> str: ...
