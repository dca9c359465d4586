"""`mcfg import --hydra` against the real OmegaConf (PyPI `omegaconf`, pinned in .ci/run).

For every Hydra/OmegaConf case of tests/data/corpus, the config is imported,
built with mcfg, and the artifact compared with
`OmegaConf.to_container(cfg, resolve=True)` of the same input:

* Hydra cases: the composed job config Hydra printed (`expected/<variant>.json`,
  interpolations unresolved) is the input of both sides. Hydra's composition
  itself (defaults lists) is not under test here: mcfg does not compose them.
* OmegaConf case (dinov2): the base YAML and each variant YAML, imported as a
  base and an overlay (a child config), against `OmegaConf.merge(base, variant)`.

Resolvers (`${oc.env:USER}`, `${hydra:...}`, `${now:...}`) have no mcfg
equivalent and are kept as text by the importer; on the OmegaConf side each
resolver is registered to return its own text, so both sides agree on them
and everything else is compared exactly. OmegaConf's `???` (a mandatory value
nobody gave) is a declaration without a value in mcfg (`key: any`, required):
each test gives every such key a value on both sides, OmegaConf with
`OmegaConf.update` and mcfg with `--set CONFIG.PATH=VALUE`; left without a
value, OmegaConf raises `MissingMandatoryValue` and mcfg reports
`mcfg::missing-field`.

Run: `MCFG=target/debug/mcfg python -m pytest tests/integration`.
"""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "data" / "corpus"
MCFG = os.environ.get("MCFG", str(ROOT / "target" / "debug" / "mcfg"))

try:
    from omegaconf import OmegaConf
except ImportError:  # pragma: no cover - CI installs it
    if os.environ.get("CI"):
        raise
    pytest.skip("omegaconf is not installed (CI installs it)", allow_module_level=True)

RESOLVER = re.compile(r"\$\{([A-Za-z_][\w.]*):")


def register_echo_resolvers(text):
    """Every resolver named in `text` returns its own `${name:args}` text."""
    for name in sorted(set(RESOLVER.findall(text))):

        def echo(*args, _name=name):
            return "${%s:%s}" % (_name, ",".join(str(a) for a in args))

        OmegaConf.register_new_resolver(name, echo, replace=True)


def fill_missing(cfg, config):
    """Gives every `???` of OmegaConf config `cfg` a value (in place) and
    returns the `--set` flags that give mcfg config `config` the same."""
    sets = []
    for key in sorted(OmegaConf.missing_keys(cfg)):
        assert "[" not in key, f"a `???` inside a list: {key}"
        value = f"given:{key}"
        OmegaConf.update(cfg, key, value, merge=False)
        sets.append(f"{config}.{key}={json.dumps(value)}")
    return sets


def strict(value):
    """JSON values with their types spelled out (1 and 1.0 and True differ)."""
    if isinstance(value, dict):
        return {k: strict(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strict(v) for v in value]
    return (type(value).__name__, value)


def mcfg_build(tmp_path, inputs, config, sets=()):
    src = tmp_path / "src"
    src.mkdir()
    imported = subprocess.run(
        [MCFG, "import", "--hydra", "--name", "cfg", "-o", str(src / "cfg.mcfg"), *map(str, inputs)],
        capture_output=True,
        text=True,
    )
    assert imported.returncode == 0, imported.stderr
    out = tmp_path / "out"
    built = subprocess.run(
        [MCFG, "build", str(src), "-o", str(out), *(a for s in sets for a in ("--set", s))],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr + (src / "cfg.mcfg").read_text()
    return json.loads((out / f"{config}.json").read_text())


HYDRA = sorted(
    p
    for case in ("hydra-lightning-template", "hydra-audiocraft-musicgen")
    for p in (CORPUS / case / "expected").glob("*.json")
    if not p.name.endswith(".resolved.json")
)


@pytest.mark.parametrize("composed", HYDRA, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_hydra_composed_config_resolves_like_omegaconf(tmp_path, composed):
    text = composed.read_text()
    register_echo_resolvers(text)
    cfg = OmegaConf.create(json.loads(text))
    sets = fill_missing(cfg, "cfg")
    want = OmegaConf.to_container(cfg, resolve=True)
    got = mcfg_build(tmp_path, [composed], "cfg", sets)
    assert strict(got) == strict(want)


DINO = CORPUS / "omegaconf-dinov2" / "original" / "dinov2" / "configs"
VARIANTS = sorted((DINO / "train").glob("*.yaml")) + sorted((DINO / "eval").glob("*.yaml"))


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_omegaconf_merge_of_base_and_variant(tmp_path, variant):
    base = DINO / "ssl_default_config.yaml"
    register_echo_resolvers(base.read_text() + variant.read_text())
    merged = OmegaConf.merge(OmegaConf.load(base), OmegaConf.load(variant))
    config = f"cfg_{variant.stem}"
    # The base is a config of its own: its `???` keys need values too.
    sets = fill_missing(OmegaConf.load(base), "cfg") + fill_missing(merged, config)
    want = OmegaConf.to_container(merged, resolve=True)
    got = mcfg_build(tmp_path, [base, variant], config, sets)
    assert strict(got) == strict(want)


INTERPOLATED = (
    "model:\n  width: 64\n  dim: ${.width}\n  name: vit-${model.width}\n"
    "data:\n  sizes: [224, 448]\n  crop: ${data.sizes.1}\n  root: ???\n"
    "  train: ${data.root}/train\n"
    "optim:\n  lr: ???\n  warmup: ${optim.lr}\n"
    "top: ${model.dim}\n"
    "overlay_me:\n  a: 1\n"
)


def test_interpolations_and_missing_values(tmp_path):
    """The importer's own cases: relative, indexed and embedded references,
    `???` filled by an override and read through an interpolation."""
    src = tmp_path / "in.yaml"
    src.write_text(INTERPOLATED)
    over = tmp_path / "over.yaml"
    over.write_text("model:\n  width: 128\noverlay_me: null\n")
    merged = OmegaConf.merge(OmegaConf.load(src), OmegaConf.load(over))
    overrides = ["data.root=/mnt/data", "optim.lr=0.01"]
    merged = OmegaConf.merge(merged, OmegaConf.from_dotlist(overrides))
    want = OmegaConf.to_container(merged, resolve=True)
    sets = [
        f"{config}.data.root=\"/mnt/data\"" for config in ("cfg", "cfg_over")
    ] + [f"{config}.optim.lr=0.01" for config in ("cfg", "cfg_over")]
    got = mcfg_build(tmp_path, [src, over], "cfg_over", sets)
    assert strict(got) == strict(want)
    assert got["model"] == {"width": 128, "dim": 128, "name": "vit-128"}
    assert got["data"]["train"] == "/mnt/data/train"
    assert got["optim"] == {"lr": 0.01, "warmup": 0.01}


def test_missing_value_left_unset_fails_on_both_sides(tmp_path):
    """`???` nobody gives: OmegaConf raises `MissingMandatoryValue` when it
    resolves the config; mcfg builds nothing and reports one
    `mcfg::missing-field` at the declaration for each key."""
    from omegaconf.errors import MissingMandatoryValue

    src = tmp_path / "in.yaml"
    src.write_text(INTERPOLATED)
    cfg = OmegaConf.load(src)
    with pytest.raises(MissingMandatoryValue):
        OmegaConf.to_container(cfg, resolve=True, throw_on_missing=True)
    out_src = tmp_path / "src"
    out_src.mkdir()
    imported = subprocess.run(
        [MCFG, "import", "--hydra", "--name", "cfg", "-o", str(out_src / "cfg.mcfg"), str(src)],
        capture_output=True,
        text=True,
    )
    assert imported.returncode == 0, imported.stderr
    text = (out_src / "cfg.mcfg").read_text()
    assert "    root: any\n" in text and "    lr: any\n" in text, text
    built = subprocess.run(
        [MCFG, "build", str(out_src), "-o", str(tmp_path / "out"), "--message-format", "json"],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 1, built.stderr
    assert not (tmp_path / "out").exists()
    diags = [json.loads(line) for line in built.stderr.splitlines() if line.startswith("{")]
    missing = sorted(
        (d["message"], d["line"]) for d in diags if d["code"] == "mcfg::missing-field"
    )
    lines = text.splitlines()
    root_line = next(i for i, l in enumerate(lines, 1) if l.strip() == "root: any")
    lr_line = next(i for i, l in enumerate(lines, 1) if l.strip() == "lr: any")
    assert missing == [
        ("`data.root` is required and has no value", root_line),
        ("`optim.lr` is required and has no value", lr_line),
    ], built.stderr
    # Nothing else: reading a missing value is not a second error.
    assert all(d["code"] == "mcfg::missing-field" for d in diags), built.stderr


LIGHTNING = CORPUS / "hydra-lightning-template"


@pytest.mark.parametrize("primary", ["train", "eval"])
def test_defaults_list_composes_like_hydra(tmp_path, primary):
    """A primary config's `defaults:` list, composed by mcfg from the group
    files, resolves to what OmegaConf resolves Hydra's own composition to
    (`expected/<primary>-default.json`, Hydra 1.3.8's `--cfg job`)."""
    composed = LIGHTNING / "expected" / f"{primary}-default.json"
    text = composed.read_text()
    register_echo_resolvers(text)
    want = OmegaConf.to_container(OmegaConf.create(json.loads(text)), resolve=True)
    sets = []
    if primary == "eval":
        # `ckpt_path: ???` (imported as `ckpt_path: any`) was given on Hydra's
        # command line; here `--set` gives it.
        sets.append(f"cfg.ckpt_path={json.dumps(want['ckpt_path'])}")
    got = mcfg_build(tmp_path, [LIGHTNING / "original" / "configs" / f"{primary}.yaml"], "cfg", sets)
    assert strict(got) == strict(want)
