import subprocess
import sys
import textwrap

import mcfg
from mcfg._main import parse_argv


def script(tmp_path, project):
    p = tmp_path / "train.py"
    p.write_text(textwrap.dedent(f"""\
        import json, mcfg

        @mcfg.main(sources={str(project)!r}, config="trainer", env="dev")
        def train(cfg):
            print(json.dumps(cfg, sort_keys=True))

        train()
        """))
    return p


def run(p, *args):
    return subprocess.run([sys.executable, str(p), *args], capture_output=True, text=True)


def test_hydra_style_overrides_and_env(tmp_path, project):
    p = script(tmp_path, project)
    r = run(p, "optim.lr=0.01", "env=prod")
    assert r.returncode == 0, r.stderr
    assert '"epochs": 10' in r.stdout and '"lr": 0.01' in r.stdout


def test_bad_override_prints_diagnostics_and_exits_1(tmp_path, project):
    r = run(script(tmp_path, project), "optim.lr=5")
    assert r.returncode == 1
    assert "mcfg::constraint" in r.stderr and "--set[1]" in r.stderr
    r = run(script(tmp_path, project), "justaword")
    assert r.returncode == 2 and "is not an override" in r.stderr


def test_help_lists_fields_with_types_and_docs(tmp_path, project):
    r = run(script(tmp_path, project), "--help")
    assert r.returncode == 0, r.stderr
    lines = {l.split()[0]: l for l in r.stdout.splitlines() if l.startswith("  ") and not l.startswith("   ")}
    assert "Learning rate." in lines["optim.lr"] and "number(> 0, <= 1)" in lines["optim.lr"]
    assert "= 0.001" in lines["optim.lr"]
    assert "integer(>= 1)" in lines["epochs"] and "Passes over the data." in lines["epochs"]


def test_decorated_function_called_with_a_config_runs_directly(project):
    @mcfg.main(sources=project, config="trainer", env="dev")
    def f(cfg):
        return cfg["epochs"]

    assert f({"epochs": 7}) == 7
    assert f(argv=["env=prod"]) == 10


def test_parse_argv():
    assert parse_argv(["env=prod", "a.b=1", "~c", "config=x", 'n="p=q"']) == (
        "prod", "x", ["a.b=1", "~c", 'n="p=q"'], False)
