"""The flag sets `mcfg build` writes, served by the real flagd engines.

Engines: the Python OpenFeature SDK with the flagd provider in in-process
FILE mode (PyPI `openfeature-sdk`, `openfeature-provider-flagd`) and the npm
`@openfeature/flagd-core` evaluator (through `evaluate.cjs`). `.ci/run`
installs both; locally set MCFG (the binary, default target/debug/mcfg) and
FLAGD_CORE (the npm package folder, default
target/flagd-node/node_modules/@openfeature/flagd-core).

Every emitted file is also validated against flagd's own flag-definition
schema (tests/data/flagd-schema, Apache-2.0, see SOURCE.md there).
"""

import collections
import hashlib
import json
import os
import subprocess
from pathlib import Path

import jsonschema
import pytest
import referencing
from openfeature import api
from openfeature.contrib.provider.flagd import FlagdProvider
from openfeature.contrib.provider.flagd.config import ResolverType
from openfeature.evaluation_context import EvaluationContext

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
MCFG = os.environ.get("MCFG", str(REPO / "target" / "debug" / "mcfg"))
FLAGD_CORE = os.environ.get(
    "FLAGD_CORE",
    str(REPO / "target" / "flagd-node" / "node_modules" / "@openfeature" / "flagd-core"),
)
KEYS = 10_000
TOLERANCE = 2.0  # percentage points


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    proc = subprocess.run(
        [MCFG, "build", str(HERE / "fixture"), "-o", str(out)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    return out


def flag_file(build, env):
    return build / env / "flags.flagd.json"


# --- the Python engine -----------------------------------------------------

_clients = {}


def py_client(path):
    """An OpenFeature client over the flagd provider reading `path` in file mode."""
    key = str(path)
    if key not in _clients:
        provider = FlagdProvider(resolver_type=ResolverType.FILE, offline_flag_source_path=key)
        api.set_provider_and_wait(provider, domain=key)
        _clients[key] = api.get_client(domain=key)
    return _clients[key]


@pytest.fixture(scope="module", autouse=True)
def _shutdown_providers():
    yield
    api.shutdown()
    _clients.clear()


def py_eval(path, requests):
    client = py_client(path)
    methods = {
        "boolean": (client.get_boolean_details, False),
        "string": (client.get_string_details, ""),
        "number": (client.get_float_details, 0.0),
        "object": (client.get_object_details, {}),
    }
    out = []
    for r in requests:
        method, default = methods[r["type"]]
        ctx = dict(r.get("context", {}))
        key = ctx.pop("targetingKey", None)
        d = method(r["flag"], default, EvaluationContext(targeting_key=key, attributes=ctx))
        reason = d.reason.value if hasattr(d.reason, "value") else d.reason
        out.append({"value": d.value, "variant": d.variant, "reason": reason})
    return out


# --- the npm engine ----------------------------------------------------------


def node_eval(path, requests):
    proc = subprocess.run(
        ["node", str(HERE / "evaluate.cjs"), str(path)],
        input=json.dumps(requests),
        capture_output=True,
        text=True,
        env={**os.environ, "FLAGD_CORE": FLAGD_CORE},
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


ENGINES = {"python-flagd-provider": py_eval, "flagd-core-js": node_eval}


@pytest.fixture(params=sorted(ENGINES))
def evaluate(request):
    return ENGINES[request.param]


def requests_for(flag, typ, contexts):
    return [{"flag": flag, "type": typ, "context": c} for c in contexts]


def users(n=KEYS, attr="targetingKey", **extra):
    return [{attr: f"user-{i}", **extra} for i in range(n)]


def shares(results):
    counts = collections.Counter(r["variant"] for r in results)
    return {k: 100.0 * v / len(results) for k, v in counts.items()}


# --- the file itself -----------------------------------------------------------


def flagd_validator():
    """flags.json with its `./targeting.json` reference resolved to the copy.

    In draft 7 a `$ref` hides its sibling `$id`, so the root has no base URI
    and the relative reference is registered under its literal name too.
    """
    schema_dir = REPO / "tests" / "data" / "flagd-schema"
    flags_schema = json.loads((schema_dir / "flags.json").read_text())
    targeting = json.loads((schema_dir / "targeting.json").read_text())
    resource = referencing.Resource.from_contents(targeting)
    registry = referencing.Registry().with_resources(
        [(targeting["$id"], resource), ("./targeting.json", resource), ("targeting.json", resource)]
    )
    return jsonschema.Draft7Validator(flags_schema, registry=registry)


def test_every_flag_file_is_valid_against_the_flagd_schema(build):
    validator = flagd_validator()
    files = sorted(build.glob("*/flags.flagd.json"))
    assert [f.parent.name for f in files] == ["dev", "prod"]
    for f in files:
        doc = json.loads(f.read_text())
        errors = [e.message for e in validator.iter_errors(doc)]
        assert errors == [], f"{f}: {errors}"
        assert sorted(doc["flags"]) == sorted(
            f"svc.{k}"
            for k in ["rollout30", "off", "targeted", "split3", "ab", "by_session", "sampler"]
        )


def test_the_schema_rejects_what_flagd_rejects():
    """The validation above can fail: a broken flag is caught by the schema."""
    validator = flagd_validator()
    bad = {"flags": {"x": {"state": "ON", "variants": {"a": 1}, "defaultVariant": "a"}}}
    assert list(validator.iter_errors(bad))
    bad_semver = {
        "flags": {
            "x": {
                "state": "ENABLED",
                "variants": {"on": True, "off": False},
                "defaultVariant": "off",
                "targeting": {"if": [{"sem_ver": [{"var": "v"}, ">=", "2.1"]}, "on", "off"]},
            }
        }
    }
    assert list(validator.iter_errors(bad_semver))


def test_the_manifest_lists_each_flag_file_with_its_hash(build):
    manifest = json.loads((build / "manifest.json").read_text())
    entries = {e["env"]: e for e in manifest["flags"]}
    assert sorted(entries) == ["dev", "prod"]
    for env, e in entries.items():
        data = (build / e["path"]).read_bytes()
        assert e["path"] == f"{env}/flags.flagd.json"
        assert e["sha256"] == hashlib.sha256(data).hexdigest()
        assert e["keys"][0] == "svc.rollout30"
    proc = subprocess.run([MCFG, "verify", str(build)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


# --- shares over 10,000 targeting keys -------------------------------------------


def test_rollout_gets_its_share(build, evaluate):
    res = evaluate(flag_file(build, "prod"), requests_for("svc.rollout30", "boolean", users()))
    on = 100.0 * sum(r["value"] is True for r in res) / len(res)
    assert abs(on - 30.0) <= TOLERANCE, on


@pytest.mark.parametrize(
    "flag,expected",
    [
        ("svc.split3", {"a": 33, "b": 33, "c": 34}),
        ("svc.ab", {"control": 50, "treatment": 50}),
    ],
)
def test_each_arm_gets_its_share(build, evaluate, flag, expected):
    res = evaluate(flag_file(build, "prod"), requests_for(flag, "string", users()))
    got = shares(res)
    assert set(got) == set(expected), got
    for arm, share in expected.items():
        assert abs(got[arm] - share) <= TOLERANCE, (arm, got)
    assert all(r["value"] == r["variant"] for r in res)


def test_bucket_by_splits_on_the_attribute_not_the_targeting_key(build, evaluate):
    # One targeting key for everyone: only session_id varies.
    contexts = users(attr="session_id", targetingKey="same-user")
    res = evaluate(flag_file(build, "prod"), requests_for("svc.by_session", "number", contexts))
    got = shares(res)
    assert abs(got["low"] - 20) <= TOLERANCE and abs(got["high"] - 80) <= TOLERANCE, got
    assert {r["value"] for r in res} == {0.2, 0.8}


def test_same_key_same_answer(build, evaluate):
    path = flag_file(build, "prod")
    reqs = requests_for("svc.split3", "string", users(2000)) + requests_for(
        "svc.rollout30", "boolean", users(2000)
    )
    first = evaluate(path, reqs)
    again = evaluate(path, list(reversed(reqs)))
    assert first == list(reversed(again))


# --- off switches ------------------------------------------------------------------


def test_disabled_experiment_serves_control(build, evaluate):
    res = evaluate(flag_file(build, "dev"), requests_for("svc.ab", "string", users(2000)))
    assert {r["value"] for r in res} == {"control"}
    # ... while the same experiment runs in prod.
    res = evaluate(flag_file(build, "prod"), requests_for("svc.ab", "string", users(2000)))
    assert {r["value"] for r in res} == {"control", "treatment"}


def test_enabled_false_serves_false(build, evaluate):
    res = evaluate(flag_file(build, "prod"), requests_for("svc.off", "boolean", users(2000)))
    assert {r["value"] for r in res} == {False}
    assert {r["variant"] for r in res} == {"off"}


# --- targeting rules, typed variants, metadata ---------------------------------------


@pytest.mark.parametrize(
    "context,expected",
    [
        ({"targetingKey": "u1", "country": "DE"}, True),
        ({"targetingKey": "u1", "country": "AT"}, True),
        ({"targetingKey": "u1", "country": "US"}, False),
        ({"targetingKey": "u1", "email": "ann@example.com"}, True),
        ({"targetingKey": "u1", "email": "ann@example.org"}, False),
        ({"targetingKey": "u1", "user": "staff-ann", "country": "US"}, True),
        ({"targetingKey": "u1", "user": "staff-ann", "country": "FR"}, False),
        ({"targetingKey": "u1", "user": "ann"}, False),
        ({"targetingKey": "u1", "app_version": "1.9.9"}, False),
        ({"targetingKey": "u1"}, False),
    ],
)
def test_rules_are_tried_in_order(build, evaluate, context, expected):
    res = evaluate(flag_file(build, "prod"), requests_for("svc.targeted", "boolean", [context]))
    assert res[0]["value"] is expected, res


def test_a_rule_has_its_own_split(build, evaluate):
    contexts = users(app_version="2.3.0")
    res = evaluate(flag_file(build, "prod"), requests_for("svc.targeted", "boolean", contexts))
    on = 100.0 * sum(r["value"] is True for r in res) / len(res)
    assert abs(on - 50.0) <= TOLERANCE, on


def test_object_variants_carry_parameters(build, evaluate):
    res = evaluate(flag_file(build, "prod"), requests_for("svc.sampler", "object", users(1000)))
    # Compared as numbers: JavaScript has no 0.0 apart from 0.
    values = {tuple(sorted(r["value"].items())) for r in res}
    assert values == {(("temperature", 0.0), ("top_k", 1)), (("temperature", 0.7), ("top_k", 40))}


def test_flag_metadata_reaches_the_sdk(build):
    client = py_client(flag_file(build, "prod"))
    d = client.get_object_details("svc.sampler", {}, EvaluationContext(targeting_key="u1"))
    assert d.flag_metadata["owner"] == "search-team"
    assert d.flag_metadata["ticket"] == "RANK-7"
    assert d.flag_metadata["expires"] == "2999-12-31"


# --- the bucketing attribute missing at evaluation time -------------------------------


def test_missing_bucket_by_attribute_serves_the_default_variant(build, evaluate):
    """mcfg guards the split with `missing`: no session_id gets `control`."""
    contexts = [{"targetingKey": f"user-{i}"} for i in range(500)]
    res = evaluate(flag_file(build, "prod"), requests_for("svc.by_session", "number", contexts))
    assert {r["variant"] for r in res} == {"low"}
    assert {r["value"] for r in res} == {0.2}
    # No targeting key at all: the same for the targeting-key split.
    res = evaluate(flag_file(build, "prod"), requests_for("svc.ab", "string", [{}]))
    assert res[0]["value"] == "control"


def test_unguarded_flagd_puts_every_context_without_the_attribute_in_one_bucket(
    tmp_path, evaluate
):
    """What flagd itself does (documented in docs/operations.md): `cat` turns
    the missing attribute into a constant, so every such context hashes to
    the same bucket, a different one per engine; this is why mcfg guards."""
    flags = {
        "flags": {
            "raw": {
                "state": "ENABLED",
                "variants": {"a": "a", "b": "b"},
                "defaultVariant": "a",
                "targeting": {
                    "fractional": [
                        {"cat": ["salt", {"var": "session_id"}]},
                        ["a", 50],
                        ["b", 50],
                    ]
                },
            }
        }
    }
    path = tmp_path / "raw.flagd.json"
    path.write_text(json.dumps(flags))
    res = evaluate(path, requests_for("raw", "string", users(500)))
    assert len({r["variant"] for r in res}) == 1, shares(res)


def test_the_example_and_the_case_files_build_valid_flag_sets(tmp_path):
    validator = flagd_validator()
    sources = [REPO / "examples" / "ranking", REPO / "tests" / "cases" / "std" / "flag-rules.mcfg"]
    for i, src in enumerate(sources):
        out = tmp_path / str(i)
        proc = subprocess.run([MCFG, "build", str(src), "-o", str(out)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        files = sorted(out.glob("**/flags.flagd.json"))
        assert files, src
        for f in files:
            errors = [e.message for e in validator.iter_errors(json.loads(f.read_text()))]
            assert errors == [], f"{f}: {errors}"
