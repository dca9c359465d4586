"""`load` and `load_bundle` on a `mcfg build --bundle` folder."""
import pytest

import mcfg
from conftest import build


def test_load_reads_a_config_from_a_bundle_build(project, tmp_path):
    per = build(project, tmp_path / "per")
    bun = build(project, tmp_path / "bun", "--bundle")
    assert sorted(p.name for p in bun.iterdir()) == [
        "dev.json", "dev.runtime.json", "manifest.json", "prod.json", "prod.runtime.json",
    ]
    for env in ["dev", "prod"]:
        assert mcfg.load(bun, config="trainer", env=env) == mcfg.load(per, config="trainer", env=env)
        assert mcfg.load(bun, env=env) == mcfg.load(per, config="trainer", env=env)
    assert mcfg.load_bundle(bun, env="prod") == {"trainer": mcfg.load(per, config="trainer", env="prod")}
    with pytest.raises(mcfg.UsageError, match="no artifact for config `nope`"):
        mcfg.load(bun, config="nope", env="prod")
    with pytest.raises(mcfg.UsageError, match="give `env=`"):
        mcfg.load_bundle(bun)
    with pytest.raises(mcfg.UsageError, match="not a `--bundle` build"):
        mcfg.load_bundle(per, env="prod")


def test_a_bundle_edited_after_the_build_is_refused(project, tmp_path):
    bun = build(project, tmp_path / "bun", "--bundle")
    p = bun / "prod.json"
    p.write_text(p.read_text().replace("10", "11"))
    with pytest.raises(mcfg.VerifyError, match="sha256"):
        mcfg.load(bun, config="trainer", env="prod")
    with pytest.raises(mcfg.VerifyError, match="sha256"):
        mcfg.load_bundle(bun, env="prod")
    assert mcfg.load_bundle(bun, env="prod", verify=False)["trainer"]["epochs"] == 11
