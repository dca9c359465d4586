import json
import os
import shutil
import subprocess
import sys
import threading

import pytest

import mcfg


def test_compile_returns_values_with_durations_in_seconds(project):
    cfg = mcfg.compile(project, config="trainer", env="prod")
    assert cfg["epochs"] == 10
    assert cfg["optim"] == {"lr": 0.001, "momentum": 0.9}
    assert cfg["timeout"] == 0.2


def test_compile_all_groups_by_env_then_config(project):
    out = mcfg.compile_all(str(project))
    assert list(out) == ["dev", "prod"]
    assert out["dev"]["trainer"]["epochs"] == 3
    assert out["prod"]["trainer"]["epochs"] == 10


def test_overrides_are_relative_to_the_config_and_checked(project):
    cfg = mcfg.compile(project, config="trainer", env="dev", overrides=["optim.lr=0.01", "prod:epochs=20"])
    assert cfg["optim"]["lr"] == 0.01
    assert cfg["epochs"] == 3
    assert mcfg.compile(project, config="trainer", env="prod", overrides=["prod:epochs=20"])["epochs"] == 20
    with pytest.raises(mcfg.CompileError) as e:
        mcfg.compile(project, config="trainer", env="dev", overrides=["optim.lr=2.0"])
    assert [d.code for d in e.value.diagnostics] == ["mcfg::constraint"]
    assert e.value.diagnostics[0].file == "--set[1]"


def test_compile_error_carries_structured_diagnostics_and_human_text(project):
    f = project / "trainer.mcfg"
    f.write_text(f.read_text() + 'config broken: Trainer {\n  epochs = "many"\n}\n')
    line = f.read_text().count("\n") - 1
    with pytest.raises(mcfg.CompileError) as e:
        mcfg.compile(project, config="trainer", env="dev")
    d = e.value.diagnostics[0]
    assert (d.code, d.line, d.column) == ("mcfg::type-mismatch", line, 12)
    assert d.file.endswith("trainer.mcfg")
    assert d.config == "broken"
    assert "expects int" in str(e.value) and f"trainer.mcfg:{line}:12" in str(e.value)
    assert not isinstance(e.value, RuntimeError)


def test_wrong_argument_types_name_the_parameter(project):
    with pytest.raises(TypeError, match="`sources`"):
        mcfg.compile(42)
    with pytest.raises(TypeError, match="`config`"):
        mcfg.compile(project, config=1)
    with pytest.raises(TypeError, match="`overrides`"):
        mcfg.compile(project, config="trainer", env="dev", overrides="optim.lr=1")
    with pytest.raises(TypeError, match="`verify`"):
        mcfg.load(project, verify="yes")


def test_missing_paths_and_unknown_names_are_usage_errors(project, tmp_path):
    with pytest.raises(mcfg.UsageError, match="does not exist"):
        mcfg.compile(tmp_path / "nope", config="trainer")
    with pytest.raises(mcfg.UsageError, match="give `env=`"):
        mcfg.compile(project, config="trainer")
    with pytest.raises(mcfg.UsageError, match="unknown environment `qa`"):
        mcfg.compile(project, config="trainer", env="qa")
    with pytest.raises(mcfg.UsageError):
        mcfg.load(tmp_path / "nope")


def test_load_verifies_the_hash_against_the_manifest(built):
    cfg = mcfg.load(built, config="trainer", env="prod")
    assert cfg == mcfg.compile(built.parent / "configs", config="trainer", env="prod")
    man = mcfg.manifest(built)
    assert [a["env"] for a in man["artifacts"]] == ["dev", "prod"]
    p = built / "prod" / "trainer.json"
    p.write_text(p.read_text().replace("10", "11"))
    with pytest.raises(mcfg.VerifyError, match="sha256"):
        mcfg.load(built, config="trainer", env="prod")
    assert mcfg.load(built, config="trainer", env="prod", verify=False)["epochs"] == 11


def test_compiling_from_many_threads_at_once_gives_the_same_values(project):
    expected = mcfg.compile(project, config="trainer", env="prod")
    results, errors = [], []

    def work(i):
        try:
            for _ in range(5):
                results.append(mcfg.compile(project, config="trainer", env="prod", overrides=[f"optim.lr=0.0{i + 1}"]))
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 40
    assert sorted({r["optim"]["lr"] for r in results}) == [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08]
    assert all({**r, "optim": expected["optim"]} == expected for r in results)


def test_gil_is_released_while_compiling(tmp_path):
    # A big project: while one thread compiles, another keeps running Python.
    src = tmp_path / "big"
    src.mkdir()
    body = "".join(f"config c{i} {{ x = {i}\n y = self.x * 2 }}\n" for i in range(3000))
    (src / "big.mcfg").write_text(body)
    ticks = []
    done = threading.Event()

    def ticker():
        while not done.is_set():
            ticks.append(1)
            done.wait(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    try:
        out = mcfg.compile_all(src)
    finally:
        done.set()
        t.join()
    assert out[None]["c2999"] == {"x": 2999, "y": 5998}
    assert len(ticks) > 5


def test_hostile_input_is_an_error_not_a_crash(tmp_path):
    src = tmp_path / "deep"
    src.mkdir()
    (src / "deep.mcfg").write_text("config c { x = " + "[" * 100000 + "]" * 100000 + " }\n")
    with pytest.raises(mcfg.CompileError) as e:
        mcfg.compile(src)
    assert e.value.diagnostics[0].code == "mcfg::limit"


def test_the_mcfg_command_runs_the_cli_in_process(project, tmp_path):
    # The console script sits beside the interpreter of the environment it was installed in.
    exe = shutil.which("mcfg", path=os.path.dirname(sys.executable)) or shutil.which("mcfg")
    assert exe is not None, "the wheel installs the mcfg command"
    r = subprocess.run([exe, "check", str(project)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    (project / "bad.mcfg").write_text("config x { = }\n")
    r = subprocess.run([exe, "--message-format", "json", "check", str(project)], capture_output=True, text=True)
    assert r.returncode == 1
    assert json.loads(r.stderr.splitlines()[0])["code"] == "mcfg::syntax"
    r = subprocess.run([exe, "--version"], capture_output=True, text=True)
    # `mcfg 0.1.0 (commit 1a2b3c4d5e6f)`, or `(commit unknown)` built outside git.
    assert r.returncode == 0
    assert r.stdout.startswith(f"mcfg {mcfg.__version__} (commit "), r.stdout
    r = subprocess.run([exe, "no-such-command"], capture_output=True, text=True)
    assert r.returncode == 2
