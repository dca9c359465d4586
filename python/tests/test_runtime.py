import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import mcfg


def wait_for(pred, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.01)
    return pred()


def write_atomic(path, doc):
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc))
    os.replace(tmp, path)


def write_in_place(path, doc, chunk=3):
    data = json.dumps(doc).encode()
    with open(path, "r+b") as f:
        f.truncate(0)
        for i in range(0, len(data), chunk):
            f.write(data[i : i + chunk])
            f.flush()
            time.sleep(0.0005)


@pytest.fixture
def rt_path(built):
    return built / "prod" / "trainer.runtime.json"


def test_starts_with_the_built_values_and_reads_dotted_paths(built):
    with mcfg.RuntimeConfig(built, config="trainer", env="prod") as rt:
        assert rt["timeout"] == 0.2 and rt.get("rollout") == 10.0
        assert rt.version == 0
        with pytest.raises(KeyError):
            rt["epochs"]


def test_valid_update_applied_and_on_change_called(built, rt_path):
    with mcfg.RuntimeConfig(built, config="trainer", env="prod", interval=0.01) as rt:
        changes = []
        rt.on_change(lambda old, new: changes.append((old["rollout"], new["rollout"])))
        write_atomic(rt_path, {"timeout": 0.1, "rollout": 50})
        assert wait_for(lambda: rt["rollout"] == 50)
        assert rt["timeout"] == 0.1 and changes == [(10.0, 50)]


@pytest.mark.parametrize(
    "doc, code",
    [
        ({"rollout": 150}, None),  # refused by the sources' refinement (sources mode only)
        ({"epochs": 4}, "mcfg::tier"),
        ({"rollout": "lots"}, "mcfg::type-mismatch"),
        ({"nope": 1}, "mcfg::unknown-field"),
    ],
)
def test_invalid_update_keeps_last_good_values_and_reports(built, rt_path, doc, code):
    with mcfg.RuntimeConfig(built, config="trainer", env="prod", watch=False) as rt:
        errors = []
        rt.on_error(errors.append)
        write_atomic(rt_path, doc)
        applied = rt.reload()
        if code is None:
            assert applied  # without sources there is no refinement to check against
            return
        assert not applied and rt["rollout"] == 10.0
        assert [d.code for d in errors[0]] == [code]


def test_sources_mode_runs_check_runtime(built, rt_path, project):
    with mcfg.RuntimeConfig(built, config="trainer", env="prod", watch=False, sources=project) as rt:
        errors = []
        rt.on_error(errors.append)
        write_atomic(rt_path, {"rollout": 150})
        assert not rt.reload() and rt["rollout"] == 10.0
        d = errors[0][0]
        assert d.code == "mcfg::constraint" and d.file == str(rt_path)
        write_atomic(rt_path, {"epochs": 2})
        assert not rt.reload()
        assert errors[1][0].code == "mcfg::tier"
        write_atomic(rt_path, {"rollout": 25})
        assert rt.reload() and rt["rollout"] == 25 and rt["timeout"] == 0.2


def test_sources_that_are_not_the_builds_are_refused(built, project):
    f = project / "trainer.mcfg"
    f.write_text(f.read_text().replace("epochs = 10", "epochs = 11"))
    with pytest.raises(mcfg.UsageError, match="do not compile to the build"):
        mcfg.RuntimeConfig(built, config="trainer", env="prod", watch=False, sources=project)


def test_runtime_schema_in_the_folder_checks_refinements(built, rt_path):
    schema = {"type": "object", "properties": {"rollout": {"type": "number", "minimum": 0, "maximum": 100}}}
    (rt_path.with_name("trainer.runtime.schema.json")).write_text(json.dumps(schema))
    with mcfg.RuntimeConfig(built, config="trainer", env="prod", watch=False) as rt:
        write_atomic(rt_path, {"rollout": 150})
        assert not rt.reload()
        assert rt.last_error[0].code == "mcfg::constraint" and "150" in rt.last_error[0].message


def test_truncated_file_then_fixed(built, rt_path):
    with mcfg.RuntimeConfig(built, config="trainer", env="prod", interval=0.01) as rt:
        errors = []
        rt.on_error(errors.append)
        rt_path.write_text('{"rollout": 3')
        assert wait_for(lambda: errors)
        assert errors[0][0].code == "mcfg::syntax" and rt["rollout"] == 10.0
        rt_path.write_text('{"rollout": 3}')
        assert wait_for(lambda: rt["rollout"] == 3)


def test_deleted_and_recreated(built, rt_path):
    with mcfg.RuntimeConfig(built, config="trainer", env="prod", interval=0.01) as rt:
        errors = []
        rt.on_error(errors.append)
        rt_path.unlink()
        assert wait_for(lambda: errors)
        assert errors[0][0].code == "mcfg::io" and rt["rollout"] == 10.0
        write_atomic(rt_path, {"rollout": 7})
        assert wait_for(lambda: rt["rollout"] == 7)


def test_huge_file_is_refused_unread(built, rt_path):
    with mcfg.RuntimeConfig(built, config="trainer", env="prod", watch=False) as rt:
        with open(rt_path, "wb") as f:
            f.truncate(1 << 30)  # sparse: 1 GB without using the disk
        assert not rt.reload()
        assert rt.last_error[0].code == "mcfg::limit" and rt["rollout"] == 10.0


def test_fifo_is_refused_without_blocking(built, rt_path):
    with mcfg.RuntimeConfig(built, config="trainer", env="prod", interval=0.01) as rt:
        errors = []
        rt.on_error(errors.append)
        rt_path.unlink()
        os.mkfifo(rt_path)
        assert wait_for(lambda: errors and errors[-1][0].code == "mcfg::limit")
        assert "FIFO" in errors[-1][0].message and rt["rollout"] == 10.0
        assert not rt.reload()


WRITER = Path(__file__).with_name("runtime_writer.py")


@pytest.mark.parametrize(
    "mode, with_sources",
    [("atomic", False), ("in-place", False), ("recreate", False), ("atomic", True)],
)
def test_stress_no_torn_reads_no_lost_update(built, rt_path, project, mode, with_sources):
    """100 updates per second for 10 seconds from another process, 8 reader threads
    that keep the GIL busy. (The test once hung: its writer was a thread of this
    process, and under 8 spinning readers each of the writer's system calls waited
    ~20 ms for the GIL, so 1,000 chunked writes took minutes. The watcher now makes
    one GIL-releasing call per look; the writer is another process, as in production.)"""
    sources = project if with_sources else None
    with mcfg.RuntimeConfig(built, config="trainer", env="prod", interval=0.005, sources=sources) as rt:
        stop = threading.Event()
        problems = []
        errors = []
        changes = []
        reads = [0] * 8
        rt.on_error(errors.append)
        rt.on_change(lambda old, new: changes.append(new["rollout"]))

        def reader(i):
            last = -1
            try:
                while not stop.is_set():
                    s = rt.snapshot()
                    t, r = s["timeout"], s["rollout"]
                    # every version the writer makes has timeout == rollout / 1000
                    if (t, r) != (0.2, 10.0) and abs(t * 1000 - r) > 1e-9:
                        problems.append(("torn", t, r))
                    if s.version < last:
                        problems.append(("went back", last, s.version))
                    last = s.version
                    reads[i] += 1
            except Exception as e:  # noqa: BLE001
                problems.append(e)

        readers = [threading.Thread(target=reader, args=(i,)) for i in range(8)]
        for t in readers:
            t.start()
        try:
            out = subprocess.run(
                [sys.executable, str(WRITER), str(rt_path), mode, "1000", "100"],
                check=True, capture_output=True, text=True, timeout=120,
            )
            final = float(out.stdout)
            assert wait_for(lambda: rt["rollout"] == final, 10.0)
        finally:
            stop.set()
            for t in readers:
                t.join()
        assert problems == []
        assert min(reads) > 0
        print(f"{mode}: {rt.version} versions applied, {len(errors)} reports, reads {min(reads)}..{max(reads)}")
        # It followed the writer, not only its last version. How many of the 1,000
        # versions it applies depends on the machine's load and on the readers'
        # hold on the GIL (48 to 400 seen), so no count is asserted: this is a
        # correctness test, not a benchmark.
        assert rt.version == len(changes) and rt.version > (1 if mode == "atomic" else 0)
        assert changes[-1] == final and rt.snapshot().sha256
        if mode == "atomic":
            assert errors == []  # a rename never shows a half-written file
        else:
            # a writer's intermediate states that stay for two looks: only ever
            # "not valid JSON" (a prefix) or "does not exist" (between delete and create)
            assert {d.code for ds in errors for d in ds} <= {"mcfg::syntax", "mcfg::io"}


def test_non_json_constants_are_refused(built, rt_path):
    with mcfg.RuntimeConfig(built, config="trainer", env="prod", watch=False) as rt:
        rt_path.write_text('{"rollout": NaN}')
        assert not rt.reload()
        d = rt.last_error[0]
        assert (d.code, rt["rollout"]) == ("mcfg::syntax", 10.0)
        assert "`NaN` is not JSON" in d.message and d.help


def test_an_unused_runtime_config_is_collected_and_its_watcher_ends(built):
    import gc

    rt = mcfg.RuntimeConfig(built, config="trainer", env="prod", interval=0.01)
    t = rt._thread
    del rt
    gc.collect()
    t.join(2.0)
    assert not t.is_alive()


def test_wrong_argument_types_name_the_parameter_and_missing_paths_are_usage_errors(built, tmp_path):
    with pytest.raises(TypeError, match="`build_dir`"):
        mcfg.RuntimeConfig(42, config="trainer", env="prod")
    with pytest.raises(TypeError, match="`env`"):
        mcfg.RuntimeConfig(built, config="trainer", env=3)
    with pytest.raises(TypeError, match="`watch`"):
        mcfg.RuntimeConfig(built, config="trainer", env="prod", watch="no")
    with pytest.raises(TypeError, match="`interval`"):
        mcfg.RuntimeConfig(built, config="trainer", env="prod", interval="1s")
    with pytest.raises(TypeError, match="`max_bytes`"):
        mcfg.RuntimeConfig(built, config="trainer", env="prod", max_bytes=1.5)
    with pytest.raises(TypeError, match="`schema`"):
        mcfg.RuntimeConfig(built, config="trainer", env="prod", schema=1)
    with pytest.raises(TypeError, match="`build_dir`"):
        mcfg.manifest(None)
    with pytest.raises(mcfg.UsageError, match="is not a folder"):
        mcfg.RuntimeConfig(tmp_path / "nope", config="trainer", env="prod")
    with pytest.raises(mcfg.UsageError, match="does not exist"):
        mcfg.manifest(tmp_path)
    with pytest.raises(mcfg.UsageError, match="cannot read the runtime schema"):
        mcfg.RuntimeConfig(built, config="trainer", env="prod", schema=tmp_path / "none.json")
    with mcfg.RuntimeConfig(built, config="trainer", env="prod", watch=False) as rt:
        with pytest.raises(TypeError, match="`path`"):
            rt.get(1)
        assert "timeout" in rt and "epochs" not in rt and 3 not in rt


def test_a_refusal_that_recurs_is_reported_again(built, rt_path):
    with mcfg.RuntimeConfig(built, config="trainer", env="prod", interval=0.01) as rt:
        errors = []
        rt.on_error(errors.append)
        write_atomic(rt_path, {"rollout": 5})
        assert wait_for(lambda: rt["rollout"] == 5)
        content = rt_path.read_bytes()
        for n in (1, 2):
            rt_path.unlink()
            assert wait_for(lambda: len(errors) == n)
            assert errors[-1][0].code == "mcfg::io" and rt["rollout"] == 5
            rt_path.write_bytes(content)  # the same version again: nothing to apply
            time.sleep(0.1)
        assert rt.version == 1 and len(errors) == 2
