"""Validation of a runtime update from the build folder alone (no sources).

The hash-verified artifact gives the locked values and the type of every
runtime field; the manifest gives the runtime paths. A path outside them is
`mcfg::tier` (a build-time field) or `mcfg::unknown-field`, a value of another
JSON type than the built one `mcfg::type-mismatch`. With the runtime JSON
Schema (`<config>.runtime.schema.json`), the merged values are also checked
against it: `mcfg::constraint`. Cross-field `check`s need the sources (then
`mcfg check-runtime` itself runs, through the extension).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple

from ._errors import Diagnostic

MISSING: Any = object()


class Refused(Exception):
    """An update that is not applied, with why."""

    def __init__(self, diagnostics: List[Diagnostic]) -> None:
        super().__init__(diagnostics)
        self.diagnostics = diagnostics


def get(values: Any, parts: List[str]) -> Any:
    cur = values
    for p in parts:
        if not isinstance(cur, dict) or p not in cur:
            return MISSING
        cur = cur[p]
    return cur


def put(values: Dict[str, Any], parts: List[str], v: Any) -> None:
    cur = values
    for p in parts[:-1]:
        nxt = cur.get(p)
        if not isinstance(nxt, dict):
            nxt = cur[p] = {}
        cur = nxt
    cur[parts[-1]] = v


def leaves(doc: Dict[str, Any], prefix: List[str]) -> List[Tuple[List[str], Any]]:
    """(path parts, value) of every leaf; a key `a.b` is the path `a`, `b`."""
    out: List[Tuple[List[str], Any]] = []
    for k, v in doc.items():
        parts = prefix + str(k).split(".")
        if isinstance(v, dict) and v:
            out.extend(leaves(v, parts))
        else:
            out.append((parts, v))
    return out


def kind(v: Any) -> str:
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


def same_type(built: Any, new: Any) -> bool:
    kb, kn = kind(built), kind(new)
    if kb == "null":
        return True
    if kb == "float":
        return kn in ("int", "float")
    if kb == "list" and kn == "list":
        return not built or all(same_type(built[0], x) for x in new)
    return kb == kn


def line_col(text: str, pos: int) -> Tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def check_structure(
    doc: Dict[str, Any],
    text: str,
    built: Dict[str, Any],
    runtime_paths: List[str],
    config: str,
    has_schema: bool,
    diag: Any,
) -> None:
    """Raises `Refused` with every problem of `doc` against the build; `diag(code, msg, line, col, help)`."""
    problems: List[Diagnostic] = []
    for parts, v in leaves(doc, []):
        dotted = ".".join(parts)
        pos = text.find(json.dumps(parts[-1]))
        line, col = line_col(text, pos) if pos >= 0 else (1, 1)
        if not any(dotted == r or dotted.startswith(r + ".") for r in runtime_paths):
            if get(built, parts) is not MISSING:
                problems.append(diag(
                    "mcfg::tier", f"`{dotted}` is a build-time field; a runtime update cannot change it",
                    line, col, f"runtime fields of `{config}`: {', '.join(runtime_paths)}"))
            else:
                problems.append(diag("mcfg::unknown-field", f"`{dotted}` is not a field of `{config}`",
                                     line, col, f"runtime fields of `{config}`: {', '.join(runtime_paths)}"))
            continue
        b = get(built, parts)
        if b is MISSING:
            if not has_schema:
                problems.append(diag("mcfg::unknown-field", f"`{dotted}` is not in the build of `{config}`",
                                     line, col, None))
            continue
        if not same_type(b, v):
            problems.append(diag(
                "mcfg::type-mismatch", f"`{dotted}` is a {kind(b)} in the build, the update gives a {kind(v)}",
                line, col, f"give a {kind(b)}, as the build does"))
    if problems:
        raise Refused(problems)


def _no_constant(name: str) -> Any:
    raise ValueError(f"`{name}` is not JSON")


def parse(data: bytes, diag: Any) -> Tuple[str, Dict[str, Any]]:
    """The text and the JSON object of a runtime file, or `Refused` (`mcfg::syntax`)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Refused([diag("mcfg::syntax", f"the runtime file is not UTF-8 (at byte {e.start}): {e.reason}",
                            1, 1, None)]) from None
    text = text[1:] if text.startswith("\ufeff") else text
    try:
        doc = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise Refused([diag("mcfg::limit", "the runtime file nests too deeply to be read; values unchanged",
                            1, 1, None)]) from None
    except ValueError as e:
        line, col = (getattr(e, "lineno", 1), getattr(e, "colno", 1))
        msg = getattr(e, "msg", str(e))
        raise Refused([diag("mcfg::syntax", f"the runtime file is not valid JSON ({msg}): "
                            "truncated or half-written? values unchanged", line, col,
                            "write the file whole: a temporary file beside it, then rename it over")]) from None
    if not isinstance(doc, dict):
        raise Refused([diag("mcfg::type-mismatch", "a runtime file must be a JSON object", 1, 1, None)])
    return text, doc


def schema_problems(schema: Optional[Dict[str, Any]], values: Dict[str, Any]) -> List[Tuple[str, str]]:
    if schema is None:
        return []
    from ._jsonschema import validate

    return validate(schema, values)
