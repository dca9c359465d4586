"""`mcfg.mlflow.log_build` against a real MLflow tracking store (sqlite, in a
temporary folder). `.ci/run` installs MLflow; without it (a local run) the
tests are skipped, in CI they fail."""

import json
import os
import subprocess

import pytest

import mcfg
import mcfg.mlflow

from conftest import build

if os.environ.get("CI"):
    import mlflow
else:
    mlflow = pytest.importorskip("mlflow")


def git(d, *args):
    subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", *args],
        cwd=d, check=True, capture_output=True,
    )


@pytest.fixture(scope="module")
def tracking(tmp_path_factory):
    # One sqlite store for the module: creating one runs MLflow's migrations (seconds).
    d = tmp_path_factory.mktemp("mlflow")
    mlflow.set_tracking_uri(f"sqlite:///{d / 'mlflow.db'}")
    return d


@pytest.fixture
def store(tracking, request):
    name = request.node.name
    exp = mlflow.create_experiment(name, artifact_location=(tracking / name).as_uri())
    yield exp
    if mlflow.active_run() is not None:
        mlflow.end_run()


def test_log_build_records_the_artifact_its_hash_the_commit_and_the_overrides(project, tmp_path, store):
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "configs")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True).stdout.strip()
    out = build(project, tmp_path / "build", "--set", "prod:trainer.epochs=12")
    man = mcfg.manifest(out)
    entry = next(a for a in man["artifacts"] if a["config"] == "trainer" and a["env"] == "prod")
    with mlflow.start_run(experiment_id=store) as run:
        tags = mcfg.mlflow.log_build(out, config="trainer", env="prod")
    got = mlflow.tracking.MlflowClient().get_run(run.info.run_id)
    assert got.data.tags["mcfg.sha256"] == entry["sha256"] == tags["mcfg.sha256"]
    assert got.data.tags["mcfg.commit"] == head and got.data.tags["mcfg.dirty"] == "false"
    assert (got.data.tags["mcfg.config"], got.data.tags["mcfg.env"]) == ("trainer", "prod")
    assert json.loads(got.data.tags["mcfg.overrides"]) == json.loads(tags["mcfg.overrides"])
    assert "epochs=12" in got.data.tags["mcfg.overrides"]
    assert got.data.params["epochs"] == "12" and got.data.params["optim.lr"] == "0.001"
    assert got.data.params["name"] == "trainer"
    fetched = mlflow.artifacts.download_artifacts(
        run_id=run.info.run_id, artifact_path=f"mcfg/{entry['path']}", dst_path=str(tmp_path / "dl"))
    assert open(fetched, "rb").read() == (out / entry["path"]).read_bytes()
    listed = {a.path for a in mlflow.tracking.MlflowClient().list_artifacts(run.info.run_id, "mcfg")}
    assert listed == {"mcfg/manifest.json", "mcfg/prod"}


def test_log_build_starts_a_run_when_none_is_active(built, store):
    assert mlflow.active_run() is None
    mlflow.set_experiment(experiment_id=store)  # artifacts in the temporary store, not ./mlruns
    tags = mcfg.mlflow.log_build(built, config="trainer", env="dev", log_params=False)
    run = mlflow.active_run()
    assert run is not None
    got = mlflow.tracking.MlflowClient().get_run(run.info.run_id)
    assert got.data.tags["mcfg.env"] == "dev" and got.data.params == {}
    assert tags["mcfg.commit"] == ""  # the sources are not in git


def test_log_build_refuses_a_changed_artifact_and_bad_arguments(built, tmp_path, store):
    with pytest.raises(TypeError, match="`build_dir`"):
        mcfg.mlflow.log_build(42, config="trainer", env="prod")
    with pytest.raises(TypeError, match="`config`"):
        mcfg.mlflow.log_build(built, config=1, env="prod")
    with pytest.raises(TypeError, match="`log_params`"):
        mcfg.mlflow.log_build(built, config="trainer", env="prod", log_params="yes")
    with pytest.raises(mcfg.UsageError, match="is not a folder"):
        mcfg.mlflow.log_build(tmp_path / "nope", config="trainer", env="prod")
    with pytest.raises(mcfg.UsageError, match="no artifact for config `nope`"):
        mcfg.mlflow.log_build(built, config="nope", env="prod")
    (built / "prod" / "trainer.json").write_text("{}")
    with pytest.raises(mcfg.VerifyError, match="sha256"):
        mcfg.mlflow.log_build(built, config="trainer", env="prod")
    assert mlflow.active_run() is None  # nothing was logged
