"""The schema of `<config>.runtime.json` (`mcfg schema` writes
`<config>.runtime.schema.json`): every built runtime artifact validates
against it with ajv (strict, the `x-mcfg-*` annotations declared) and Python
`jsonschema`, while the artifact schema rejects it (it requires build-time
fields); edits a runtime update may not make are rejected."""

import copy
import json

from conftest import REPO, both_engines, run_mcfg

KEYWORDS = ["x-mcfg-tier", "x-mcfg-invariant", "x-mcfg-secret"]

SOURCE = """\
environments { dev; prod }

schema Limits {
  /// Requests in flight.
  inflight: int(>= 1, <= 100) = 10 @runtime
  burst: int = 5
}

schema Svc {
  model: string = "m1"
  timeout: duration(>= 10ms, <= 30s) = 200ms @runtime
  /// The scoring formula's version: tuned live, but the same everywhere.
  formula: int(>= 1) = 2 @runtime @invariant
  token: secret? @runtime
  mode: "a" | "b" = "a" @runtime
  limits: Limits
  weights: map[float] = {} @runtime
}

config svc: Svc {
  limits {}
  weights { x = 0.5 }
  env prod { timeout = 50ms; token = secret("vault:svc#token"); limits.inflight = 40 }
}
"""


def test_built_runtime_artifacts_validate_and_forbidden_edits_fail(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "main.mcfg").write_text(SOURCE)
    out = tmp_path / "out"
    schemas = tmp_path / "schemas"
    run_mcfg("build", src, "-o", out, check=0)
    run_mcfg("schema", src, "-o", schemas, check=0)
    assert sorted(p.name for p in schemas.iterdir()) == ["svc.runtime.schema.json", "svc.schema.json"]
    rt = json.loads((schemas / "svc.runtime.schema.json").read_text())
    main = json.loads((schemas / "svc.schema.json").read_text())
    assert rt["$id"] == "urn:mcfg:svc.runtime.schema.json"
    props = rt["properties"]
    assert sorted(props) == ["formula", "limits", "mode", "timeout", "token", "weights"]
    # Build-time fields are neither allowed nor required.
    assert rt["required"] == ["timeout", "formula", "mode", "limits", "weights"]
    assert props["limits"]["properties"].keys() == {"inflight"}
    assert props["timeout"]["x-mcfg-tier"] == "runtime"
    assert props["formula"]["x-mcfg-invariant"] is True and props["formula"]["const"] == 2
    assert props["token"]["x-mcfg-secret"] is True

    built = [json.loads((out / env / "svc.runtime.json").read_text()) for env in ("dev", "prod")]
    assert built[1]["limits"] == {"inflight": 40}

    def edit(path, value):
        v = copy.deepcopy(built[1])
        *parents, last = path
        cur = v
        for p in parents:
            cur = cur[p]
        cur[last] = value
        return v

    bad = [
        edit(["formula"], 3),  # @invariant: may not move at runtime
        edit(["model"], "m2"),  # a build-time field
        edit(["limits", "burst"], 9),  # a build-time field inside a runtime object level
        edit(["limits", "inflight"], 1000),  # beyond its bound
        edit(["timeout"], 0.001),  # below a duration bound
        edit(["mode"], "c"),
        edit(["weights", "x"], "heavy"),
    ]
    # A new map key is a valid runtime change.
    good = built + [edit(["weights", "y"], 0.25)]
    results = both_engines(
        [
            {"name": "runtime", "schema": rt, "instances": good + bad, "keywords": KEYWORDS},
            {"name": "artifact", "schema": main, "instances": built},
        ]
    )
    for engine, verdicts in zip(("ajv", "jsonschema"), results["runtime"]):
        assert verdicts == [True] * len(good) + [False] * len(bad), engine
    # The artifact schema requires the build-time fields the runtime file leaves out.
    assert results["artifact"] == ([False, False], [False, False])


def test_the_example_runtime_artifacts_validate(tmp_path):
    example = REPO / "examples" / "ranking"
    out, schemas = tmp_path / "out", tmp_path / "schemas"
    run_mcfg("build", example, "-o", out, check=0)
    run_mcfg("schema", example, "-o", schemas, check=0)
    manifest = json.loads((out / "manifest.json").read_text())
    jobs = {}
    for art in manifest["artifacts"]:
        if "runtime_path" in art:
            schema_file = schemas / f"{art['config']}.runtime.schema.json"
            job = jobs.setdefault(
                art["config"],
                {"name": art["config"], "schema": json.loads(schema_file.read_text()), "instances": [], "keywords": KEYWORDS},
            )
            job["instances"].append(json.loads((out / art["runtime_path"]).read_text()))
    assert sorted(jobs) == ["ranker", "reranker"]
    for name, (a, p) in both_engines(list(jobs.values())).items():
        assert a == p == [True] * 3, name
