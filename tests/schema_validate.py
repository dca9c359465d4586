#!/usr/bin/env python3
"""Checks generated JSON Schemas with the Python `jsonschema` package.

Usage: python3 tests/schema_validate.py JOB.json

JOB.json is a list of jobs: {"name": str, "schema": {...}, "valid": [...],
"invalid": [{"why": str, "value": ...}, ...]}. For each job the schema must
be a valid draft 2020-12 schema (checked against the meta-schema), every
"valid" instance must pass and every "invalid" one must fail.

Exit status: 0 all good, 1 a check failed (each failure printed),
3 `jsonschema` is not installed.
"""

import json
import sys

try:
    import jsonschema
    from jsonschema import Draft202012Validator
except ImportError:
    print("the Python package `jsonschema` is missing: run `pip install jsonschema`", file=sys.stderr)
    sys.exit(3)


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as f:
        jobs = json.load(f)
    failures = []
    counts = {"schemas": 0, "valid": 0, "invalid": 0}
    for job in jobs:
        name, schema = job["name"], job["schema"]
        try:
            Draft202012Validator.check_schema(schema)
        except jsonschema.exceptions.SchemaError as err:
            failures.append(f"{name}: not a valid 2020-12 schema: {err.message}")
            continue
        counts["schemas"] += 1
        validator = Draft202012Validator(schema)
        for i, value in enumerate(job.get("valid", [])):
            errors = sorted(validator.iter_errors(value), key=lambda e: list(e.path))
            if errors:
                failures.append(f"{name}: valid instance {i} rejected: {errors[0].message} at {list(errors[0].path)}")
            counts["valid"] += 1
        for case in job.get("invalid", []):
            if validator.is_valid(case["value"]):
                failures.append(f"{name}: invalid instance accepted ({case['why']})")
            counts["invalid"] += 1
    for f in failures:
        print(f)
    print(json.dumps(counts))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
