#!/usr/bin/env python3
"""Loads every NAME.yaml in a folder with PyYAML and compares it with NAME.json.

Usage: yaml_roundtrip.py DIR

Equality is exact: same types (bool is not int, int is not float), same
float bits (including the sign of zero), same key order. Each file is loaded
with yaml.SafeLoader and, when PyYAML was built with libyaml, also with
yaml.CSafeLoader. Exit 0 when all match, 1 on a difference, 3 when PyYAML is
missing. Used by tests/yaml_roundtrip.rs.
"""
import json
import math
import os
import sys

try:
    import yaml
except ImportError:
    print("PyYAML is not installed: pip install pyyaml", file=sys.stderr)
    sys.exit(3)


def diff(want, got, path="$"):
    """The first difference between want and got as text, or None."""
    if type(want) is not type(got):
        return f"{path}: expected {type(want).__name__} {want!r}, got {type(got).__name__} {got!r}"
    if isinstance(want, dict):
        if list(want) != list(got):
            return f"{path}: keys {list(want)!r} != {list(got)!r}"
        for key in want:
            found = diff(want[key], got[key], f"{path}[{key!r}]")
            if found:
                return found
        return None
    if isinstance(want, list):
        if len(want) != len(got):
            return f"{path}: length {len(want)} != {len(got)}"
        for idx, (w, g) in enumerate(zip(want, got)):
            found = diff(w, g, f"{path}[{idx}]")
            if found:
                return found
        return None
    if isinstance(want, float):
        if want != got or math.copysign(1.0, want) != math.copysign(1.0, got):
            return f"{path}: expected float {want!r}, got {got!r}"
        return None
    if want != got:
        return f"{path}: expected {want!r}, got {got!r}"
    return None


def main():
    folder = sys.argv[1]
    loaders = [("SafeLoader", yaml.SafeLoader)]
    if hasattr(yaml, "CSafeLoader"):
        loaders.append(("CSafeLoader", yaml.CSafeLoader))
    names = sorted(n[:-5] for n in os.listdir(folder) if n.endswith(".yaml"))
    failures = 0
    for name in names:
        with open(os.path.join(folder, name + ".json"), encoding="utf-8") as fh:
            want = json.load(fh)
        with open(os.path.join(folder, name + ".yaml"), encoding="utf-8") as fh:
            text = fh.read()
        for label, loader in loaders:
            try:
                got = yaml.load(text, Loader=loader)
            except yaml.YAMLError as exc:
                print(f"{name}.yaml ({label}): does not load: {exc}")
                failures += 1
                continue
            found = diff(want, got)
            if found:
                print(f"{name}.yaml ({label}): {found}")
                failures += 1
    print(f"{len(names) * len(loaders) - failures} passed, {failures} failed")
    return 1 if failures or not names else 0


if __name__ == "__main__":
    sys.exit(main())
