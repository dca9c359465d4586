"""`.pre-commit-hooks.yaml` with the real `pre-commit` (PyPI, pinned in
.ci/run), in a throwaway git repository that uses this repository's hooks.

The hook repository is a fresh git repository holding the working tree's
`.pre-commit-hooks.yaml` (pre-commit clones hook repositories at a commit, so
the file is tested as it is now, not as last committed). The project under
test is a copy of `examples/ranking` (an `mcfg.toml`, imports across folders),
so the single files pre-commit passes only work through project discovery.
"""

import os
import shutil
import sys
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, mcfg_binary


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)


@pytest.fixture
def env(tmp_path):
    pre_commit = shutil.which("pre-commit", path=os.path.dirname(sys.executable)) or shutil.which("pre-commit")
    if not pre_commit:
        pytest.fail("pre-commit is not installed: .ci/run installs it (pip install pre-commit)")
    e = {
        **os.environ,
        "PATH": f"{Path(mcfg_binary()).parent}{os.pathsep}{os.environ['PATH']}",
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
        "NO_COLOR": "1",
    }
    # The hook repository.
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    shutil.copy(REPO / ".pre-commit-hooks.yaml", hooks)
    git(hooks, "init", "-q")
    git(hooks, "add", ".")
    subprocess.run(["git", "commit", "-qm", "hooks"], cwd=hooks, check=True, env=e)
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=hooks, check=True, capture_output=True, text=True, env=e)
    # The project that uses them.
    work = tmp_path / "work"
    shutil.copytree(REPO / "examples" / "ranking", work / "ranking")
    (work / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {hooks}\n  rev: {rev.stdout.strip()}\n  hooks:\n  - id: mcfg-check\n  - id: mcfg-fmt\n"
    )
    git(work, "init", "-q")
    git(work, "add", ".")
    subprocess.run(["git", "commit", "-qm", "start"], cwd=work, check=True, env=e)

    def run(*files):
        return subprocess.run(
            [pre_commit, "run", "--files", *files], cwd=work, capture_output=True, text=True, env=e
        )

    return work, run


def test_hooks_pass_on_single_files_of_a_project(env):
    work, run = env
    # One file that imports `../schemas/model.mcfg`: fine with the project file.
    proc = run("ranking/models/ranker.mcfg")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "mcfg check" in proc.stdout and "Passed" in proc.stdout
    assert "mcfg fmt" in proc.stdout


def test_check_hook_fails_with_the_diagnostic(env):
    work, run = env
    model = work / "ranking" / "models" / "ranker.mcfg"
    model.write_text(model.read_text().replace("serving.replicas = 8", "serving.replicas = 80"))
    proc = run("ranking/models/ranker.mcfg")
    assert proc.returncode == 1
    assert "mcfg check" in proc.stdout and "Failed" in proc.stdout
    assert "mcfg::constraint" in proc.stdout
    assert "models/ranker.mcfg" in proc.stdout


def test_fmt_hook_rewrites_the_file_and_fails(env):
    work, run = env
    schema = work / "ranking" / "schemas" / "model.mcfg"
    canonical = schema.read_text()
    schema.write_text(canonical.replace("\n  ", "\n      ", 3))
    proc = run("ranking/schemas/model.mcfg")
    assert proc.returncode == 1
    assert "files were modified by this hook" in proc.stdout
    assert schema.read_text() == canonical
    # Now formatted: the second run passes.
    assert run("ranking/schemas/model.mcfg").returncode == 0


def test_a_changed_schema_fails_the_configs_in_other_files(env):
    work, run = env
    serving = work / "ranking" / "schemas" / "serving.mcfg"
    serving.write_text(serving.read_text().replace("replicas: int(>= 1, <= 64)", "replicas: int(>= 1, <= 4)"))
    # Only the schema file is passed; the broken configs are in models/.
    proc = run("ranking/schemas/serving.mcfg")
    assert proc.returncode == 1, proc.stdout
    assert "`serving.replicas` = 8 is not <= 4" in proc.stdout
    assert "models/ranker.mcfg" in proc.stdout


def test_without_a_project_file_a_single_file_cannot_import_its_neighbours(env):
    # Why the hooks rely on `mcfg.toml`: the file list alone does not say
    # where the project's root is.
    work, run = env
    (work / "ranking" / "mcfg.toml").unlink()
    proc = run("ranking/models/ranker.mcfg")
    assert proc.returncode == 1
    assert "leaves the project root" in proc.stdout
