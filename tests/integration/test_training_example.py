"""examples/training: overrides from the command line, a sweep over two
hyperparameters, each point trained from its hash-verified artifact and (when
MLflow is installed) logged with its hash and overrides. Needs the `mcfg`
Python package (CI installs it in target/ci-venv)."""

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "training"
MCFG = os.environ.get("MCFG", str(ROOT / "target" / "debug" / "mcfg"))

try:
    import mcfg  # noqa: F401
except ImportError:  # pragma: no cover - CI installs it
    if os.environ.get("CI"):
        raise
    pytest.skip("the mcfg Python package is not installed (CI installs it)", allow_module_level=True)


def train(*args, env=None):
    # Never the default ./mlruns of the working folder.
    # Never the default ./mlruns of the working folder (MLflow puts artifacts
    # in ./mlruns of the current folder even with a sqlite store).
    work = tempfile.mkdtemp()
    env = {"MLFLOW_TRACKING_URI": f"sqlite:///{work}/mlflow.db", **(env or {})}
    return subprocess.run(
        [sys.executable, str(EXAMPLE / "train.py"), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=work,
    )


def test_overrides_from_the_command_line_are_typed():
    ok = train("optim.lr=0.01", "data.batch_size=16")
    assert ok.returncode == 0, ok.stderr
    assert re.fullmatch(r"lr=0\.01 batch_size=16 loss=\d+\.\d{6}\n", ok.stdout)
    bad = train("optim.lr=2")
    assert bad.returncode == 1
    assert "mcfg::constraint" in bad.stderr


def test_a_sweep_of_two_hyperparameters_trains_every_point(tmp_path):
    out = tmp_path / "out"
    built = subprocess.run(
        [MCFG, "build", str(EXAMPLE), "-o", str(out),
         "--sweep", "trainer.optim.lr=0.1,0.01", "--sweep", "trainer.data.batch_size=16,64"],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    top = json.loads((out / "manifest.json").read_text())
    assert [[o["arg"] for o in p["overrides"]] for p in top["sweep"]] == [
        ["trainer.optim.lr=0.1", "trainer.data.batch_size=16"],
        ["trainer.optim.lr=0.1", "trainer.data.batch_size=64"],
        ["trainer.optim.lr=0.01", "trainer.data.batch_size=16"],
        ["trainer.optim.lr=0.01", "trainer.data.batch_size=64"],
    ]
    tracking = f"sqlite:///{tmp_path / 'mlflow.db'}"
    losses = []
    for point in top["sweep"]:
        run = train("--build", str(out / point["dir"]), env={"MLFLOW_TRACKING_URI": tracking})
        assert run.returncode == 0, run.stderr
        m = re.search(r"loss=(\d+\.\d+)", run.stdout)
        assert m, run.stdout
        losses.append(float(m.group(1)))
    # Every point trains to a small error on this easy problem, and they differ.
    assert all(loss < 0.1 for loss in losses), losses
    assert len(set(losses)) == 4
    # An artifact edited after the build is refused.
    point = out / "sweep" / "0" / "trainer.json"
    point.write_text(point.read_text().replace("0.1", "0.2", 1))
    tampered = train("--build", str(out / "sweep" / "0"))
    assert tampered.returncode != 0
    assert "VerifyError" in tampered.stderr


def test_each_point_is_logged_to_mlflow_with_its_hash(tmp_path):
    mlflow = pytest.importorskip("mlflow")
    out = tmp_path / "out"
    subprocess.run(
        [MCFG, "build", str(EXAMPLE), "-o", str(out), "--sweep", "trainer.optim.lr=0.1,0.01"],
        check=True,
    )
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    for n in (0, 1):
        run = train("--build", str(out / "sweep" / str(n)), env={"MLFLOW_TRACKING_URI": uri})
        assert run.returncode == 0, run.stderr
        assert "logged to MLflow" in run.stdout
    mlflow.set_tracking_uri(uri)
    runs = mlflow.search_runs(search_all_experiments=True, output_format="list")
    by_name = {r.info.run_name: r for r in runs}
    manifest = json.loads((out / "sweep" / "1" / "manifest.json").read_text())
    logged = by_name["1"].data
    assert logged.tags["mcfg.sha256"] == manifest["artifacts"][0]["sha256"]
    assert json.loads(logged.tags["mcfg.overrides"])[0]["value"] == "0.01"
    assert "loss" in logged.metrics
