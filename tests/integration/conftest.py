"""Shared helpers of the integration tests: the `mcfg` binary, the real ajv
and the real Python `jsonschema`.

These tests run the tools mcfg's output is for. `.ci/run` installs them:
`jsonschema` and `pre-commit` (pinned) into its virtual environment, ajv and
ajv-formats (pinned) with npm into `target/ci-node/`. The binary is the one
`cargo test` built (`target/debug/mcfg`) unless `MCFG` names another.
"""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def mcfg_binary() -> str:
    explicit = os.environ.get("MCFG")
    if explicit:
        return explicit
    built = REPO / "target" / "debug" / "mcfg"
    if built.exists():
        return str(built)
    found = shutil.which("mcfg")
    if not found:
        pytest.fail("no mcfg binary: run `cargo build` or set MCFG")
    return found


def run_mcfg(*args, cwd=None, check=None):
    """Runs mcfg; `check` is the exit status it must have (None: any)."""
    proc = subprocess.run(
        [mcfg_binary(), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    if check is not None and proc.returncode != check:
        pytest.fail(
            f"mcfg {' '.join(map(str, args))}: exit {proc.returncode}, expected {check}\n"
            f"{proc.stdout}\n{proc.stderr}"
        )
    return proc


def ajv(jobs):
    """[{"name", "schema", "instances"}] -> [{"name", "error", "valid"}] by ajv (strict, 2020-12)."""
    node_path = os.environ.get("MCFG_AJV_NODE_PATH", str(REPO / "target" / "ci-node" / "node_modules"))
    if not (Path(node_path) / "ajv").is_dir():
        pytest.fail(f"ajv is not installed in {node_path}: .ci/run installs it (npm install ajv)")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(jobs, f)
        name = f.name
    try:
        proc = subprocess.run(
            ["node", str(Path(__file__).with_name("ajv_validate.js")), name],
            capture_output=True,
            text=True,
            env={**os.environ, "NODE_PATH": node_path},
        )
    finally:
        os.unlink(name)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def jsonschema_results(jobs):
    """The same as `ajv`, by Python's jsonschema (meta-schema and `format: regex` checked)."""
    import jsonschema
    from jsonschema import Draft202012Validator

    out = []
    for job in jobs:
        try:
            Draft202012Validator.check_schema(job["schema"], format_checker=Draft202012Validator.FORMAT_CHECKER)
        except jsonschema.exceptions.SchemaError as err:
            out.append({"name": job["name"], "error": err.message, "valid": []})
            continue
        validator = Draft202012Validator(job["schema"])
        out.append(
            {"name": job["name"], "error": None, "valid": [validator.is_valid(v) for v in job["instances"]]}
        )
    return out


def both_engines(jobs):
    """Runs ajv and jsonschema; fails on any schema either refuses. Returns
    {name: (ajv verdicts, jsonschema verdicts)}."""
    a = ajv(jobs)
    p = jsonschema_results(jobs)
    errors = [f"ajv: {r['name']}: {r['error']}" for r in a if r["error"]]
    errors += [f"jsonschema: {r['name']}: {r['error']}" for r in p if r["error"]]
    assert not errors, "\n".join(errors)
    return {ra["name"]: (ra["valid"], rp["valid"]) for ra, rp in zip(a, p)}
