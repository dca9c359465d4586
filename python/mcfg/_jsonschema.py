"""A small JSON Schema (draft 2020-12) checker for the keywords `mcfg schema` writes.

Used by `RuntimeConfig` without sources; the package has no dependencies, so
it does not pull in `jsonschema`. Unknown keywords are ignored (annotations).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Tuple

_TYPES = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def validate(schema: Any, value: Any, path: str = "", root: Any = None) -> List[Tuple[str, str]]:
    """(dotted path, message) of each problem of `value` against `schema`."""
    root = schema if root is None else root
    if schema is False:
        return [(path or "(root)", "no value is allowed here")]
    if not isinstance(schema, dict):
        return []
    out: List[Tuple[str, str]] = []
    where = path or "(root)"
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        out.extend(validate(target, value, path, root))
    t = schema.get("type")
    if t is not None:
        types = t if isinstance(t, list) else [t]
        if not any(_TYPES.get(x, lambda v: True)(value) for x in types):
            return out + [(where, f"expected {' or '.join(types)}, got {type(value).__name__}")]
    if "const" in schema and value != schema["const"]:
        out.append((where, f"must stay {schema['const']!r} (locked by the build)"))
    if "enum" in schema and value not in schema["enum"]:
        out.append((where, f"must be one of {schema['enum']!r}"))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        bounds: Tuple[Tuple[str, Callable[[float, float], bool], str], ...] = (
            ("minimum", lambda v, b: v >= b, ">="),
            ("maximum", lambda v, b: v <= b, "<="),
            ("exclusiveMinimum", lambda v, b: v > b, ">"),
            ("exclusiveMaximum", lambda v, b: v < b, "<"),
        )
        for key, ok, word in bounds:
            b = schema.get(key)
            if isinstance(b, (int, float)) and not ok(value, b):
                out.append((where, f"{value!r} is not {word} {b}"))
    if isinstance(value, str):
        if isinstance(schema.get("minLength"), int) and len(value) < schema["minLength"]:
            out.append((where, f"shorter than {schema['minLength']} characters"))
        if isinstance(schema.get("maxLength"), int) and len(value) > schema["maxLength"]:
            out.append((where, f"longer than {schema['maxLength']} characters"))
        pat = schema.get("pattern")
        if isinstance(pat, str):
            try:
                if re.search(pat, value) is None:
                    out.append((where, f"does not match /{pat}/"))
            except re.error:
                pass
    if isinstance(value, list):
        if isinstance(schema.get("minItems"), int) and len(value) < schema["minItems"]:
            out.append((where, f"fewer than {schema['minItems']} items"))
        if isinstance(schema.get("maxItems"), int) and len(value) > schema["maxItems"]:
            out.append((where, f"more than {schema['maxItems']} items"))
        items = schema.get("items")
        if isinstance(items, dict):
            for i, v in enumerate(value):
                out.extend(validate(items, v, f"{path}[{i}]", root))
    if isinstance(value, dict):
        props: Dict[str, Any] = schema.get("properties") or {}
        for k in schema.get("required") or []:
            if k not in value:
                out.append((where, f"missing required field `{k}`"))
        extra = schema.get("additionalProperties", True)
        for k, v in value.items():
            sub = f"{path}.{k}" if path else k
            if k in props:
                out.extend(validate(props[k], v, sub, root))
            elif extra is False:
                out.append((sub, "is not a field of the schema"))
            elif isinstance(extra, dict):
                out.extend(validate(extra, v, sub, root))
    for key in ("anyOf", "oneOf"):
        members = schema.get(key)
        if isinstance(members, list) and members:
            if all(validate(m, value, path, root) for m in members):
                out.append((where, f"matches none of the {len(members)} alternatives"))
    for m in schema.get("allOf") or []:
        out.extend(validate(m, value, path, root))
    return out
