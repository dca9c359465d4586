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
nobody gave) is a key with no value in mcfg: such keys are dropped from
OmegaConf's output before comparing.

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


def drop_missing(value):
    if isinstance(value, dict):
        return {k: drop_missing(v) for k, v in value.items() if v != "???"}
    if isinstance(value, list):
        return [drop_missing(v) for v in value]
    return value


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
    want = drop_missing(OmegaConf.to_container(OmegaConf.create(json.loads(text)), resolve=True))
    got = mcfg_build(tmp_path, [composed], "cfg")
    assert strict(got) == strict(want)


DINO = CORPUS / "omegaconf-dinov2" / "original" / "dinov2" / "configs"
VARIANTS = sorted((DINO / "train").glob("*.yaml")) + sorted((DINO / "eval").glob("*.yaml"))


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_omegaconf_merge_of_base_and_variant(tmp_path, variant):
    base = DINO / "ssl_default_config.yaml"
    register_echo_resolvers(base.read_text() + variant.read_text())
    merged = OmegaConf.merge(OmegaConf.load(base), OmegaConf.load(variant))
    want = drop_missing(OmegaConf.to_container(merged, resolve=True))
    got = mcfg_build(tmp_path, [base, variant], f"cfg_{variant.stem}")
    assert strict(got) == strict(want)


def test_interpolations_and_missing_values(tmp_path):
    """The importer's own cases: relative, indexed and embedded references, `???`."""
    src = tmp_path / "in.yaml"
    src.write_text(
        "model:\n  width: 64\n  dim: ${.width}\n  name: vit-${model.width}\n"
        "data:\n  sizes: [224, 448]\n  crop: ${data.sizes.1}\n  root: ???\n"
        "top: ${model.dim}\n"
        "overlay_me:\n  a: 1\n"
    )
    over = tmp_path / "over.yaml"
    over.write_text("model:\n  width: 128\noverlay_me: null\n")
    merged = OmegaConf.merge(OmegaConf.load(src), OmegaConf.load(over))
    want = drop_missing(OmegaConf.to_container(merged, resolve=True))
    got = mcfg_build(tmp_path, [src, over], "cfg_over")
    assert strict(got) == strict(want)
    assert got["model"] == {"width": 128, "dim": 128, "name": "vit-128"}


LIGHTNING = CORPUS / "hydra-lightning-template"


@pytest.mark.parametrize("primary", ["train", "eval"])
def test_defaults_list_composes_like_hydra(tmp_path, primary):
    """A primary config's `defaults:` list, composed by mcfg from the group
    files, resolves to what OmegaConf resolves Hydra's own composition to
    (`expected/<primary>-default.json`, Hydra 1.3.8's `--cfg job`)."""
    composed = LIGHTNING / "expected" / f"{primary}-default.json"
    text = composed.read_text()
    register_echo_resolvers(text)
    want = drop_missing(OmegaConf.to_container(OmegaConf.create(json.loads(text)), resolve=True))
    sets = []
    if primary == "eval":
        # `ckpt_path: ???` was given on Hydra's command line; here `--set '+PATH=...'` gives it.
        sets.append(f"+cfg.ckpt_path={json.dumps(want['ckpt_path'])}")
    got = mcfg_build(tmp_path, [LIGHTNING / "original" / "configs" / f"{primary}.yaml"], "cfg", sets)
    assert strict(got) == strict(want)
