"""`mcfg schema` against the real consumers of JSON Schema: ajv (strict,
draft 2020-12, patterns with the `u` flag) and Python's `jsonschema`.

- every schema exported from the examples and the test data compiles in both,
  and every artifact built from the same sources validates against its schema;
- `matches` patterns: for each regex and input, ajv and jsonschema give the
  verdict mcfg gives (differential, through `mcfg check`);
- simple `check`s exported as `if`/`then`: the same, over combinations of
  field values.
"""

import itertools
import json
from pathlib import Path

import pytest

from conftest import REPO, both_engines, run_mcfg

KEYWORDS = ["x-mcfg-tier", "x-mcfg-invariant", "x-mcfg-secret"]


def units():
    """Source sets: (name, path, must_build)."""
    out = [("examples/ranking", REPO / "examples" / "ranking", True)]
    for d in sorted((REPO / "examples" / "corpus").iterdir()):
        if d.is_dir():
            out.append((f"examples/corpus/{d.name}", d, True))
    for d in sorted((REPO / "tests" / "data" / "conformance-cases").glob("*/*")):
        if d.is_dir():
            out.append((str(d.relative_to(REPO)), d, False))
    cases = REPO / "tests" / "cases"
    for f in sorted(cases.glob("*/*.mcfg")):
        out.append((str(f.relative_to(REPO)), f, False))
    for f in sorted(cases.glob("*/*/main.mcfg")):
        out.append((str(f.parent.relative_to(REPO)), f.parent, False))
    return out


def test_every_exported_schema_compiles_and_every_artifact_validates(tmp_path):
    jobs = []
    built_units = 0
    for i, (name, path, must_build) in enumerate(units()):
        out = tmp_path / f"b{i}"
        schemas = tmp_path / f"s{i}"
        build = run_mcfg("build", path, "-o", out)
        if build.returncode != 0:
            assert not must_build, f"{name} does not build:\n{build.stderr}"
            continue
        run_mcfg("schema", "-o", schemas, path, check=0)
        built_units += 1
        manifest = json.loads((out / "manifest.json").read_text())
        by_config = {}
        for art in manifest["artifacts"]:
            if "config" in art and art["path"].endswith(".json"):
                by_config.setdefault(art["config"], []).append(json.loads((out / art["path"]).read_text()))
            if "runtime_path" in art:
                runtime = json.loads((out / art["runtime_path"]).read_text())
                by_config.setdefault(art["config"] + ".runtime", []).append(runtime)
        for schema_file in sorted(schemas.glob("*.schema.json")):
            config = schema_file.name[: -len(".schema.json")]
            schema = json.loads(schema_file.read_text())
            assert schema["$id"] == f"urn:mcfg:{config}.schema.json"
            arts = by_config.pop(config, [])
            assert arts, f"{name}: no artifact for schema {config}"
            job = {"name": f"{name}:{config}", "schema": schema, "instances": arts}
            if config.endswith(".runtime"):
                # Only the runtime schemas carry mcfg's annotations; the
                # artifact schemas pass ajv's strict mode as they are.
                job["keywords"] = KEYWORDS
            jobs.append(job)
        assert not {k for k in by_config if k.endswith(".runtime")}, f"{name}: runtime artifacts without a schema"
        if name == "examples/ranking":
            # The one document `mcfg schema` prints takes every config's artifact.
            combined = json.loads(run_mcfg("schema", path, check=0).stdout)
            every = [a for j in jobs if j["name"].startswith(name) and not j["name"].endswith(".runtime") for a in j["instances"]]
            jobs.append({"name": f"{name}:combined", "schema": combined, "instances": every})
    # The examples alone are 11 source sets; most cases build too.
    assert built_units > 60, built_units
    results = both_engines(jobs)
    rejected = [
        f"{engine} rejects an artifact of {name} (#{i})"
        for name, (a, p) in results.items()
        for engine, verdicts in (("ajv", a), ("jsonschema", p))
        for i, ok in enumerate(verdicts)
        if not ok
    ]
    assert not rejected, "\n".join(rejected)
    assert len(jobs) > 80, len(jobs)


def mcfg_string(s: str) -> str:
    """`s` as an mcfg string literal."""
    out = []
    for c in s:
        if c in '"\\$':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append("\\u{%x}" % ord(c))
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def verdicts_of_mcfg(tmp_path, source: str):
    """The configs of `source` that `mcfg check` reports an error for."""
    f = tmp_path / "cases.mcfg"
    f.write_text(source, encoding="utf-8")
    proc = run_mcfg("check", "--message-format", "json", f)
    assert proc.returncode in (0, 1), proc.stderr
    failing = set()
    for line in proc.stderr.splitlines():
        d = json.loads(line)
        if d["severity"] == "error":
            assert d["code"] in ("mcfg::constraint", "mcfg::check-failed"), d
            failing.add(d["config"])
    return failing


def schemas_of(tmp_path, source: str):
    d = tmp_path / "schema-src"
    d.mkdir(parents=True)
    (d / "main.mcfg").write_text(source, encoding="utf-8")
    out = tmp_path / "schemas"
    run_mcfg("schema", "-o", out, d, check=0)
    return {p.name[: -len(".schema.json")]: json.loads(p.read_text()) for p in out.glob("*.schema.json")}


PATTERNS = [
    "(?i)^abc$",
    r"\p{L}+",
    r"[[:alpha:]]+",
    "^https://",
    r"\.json$",
    "v[0-9]+",
    r"\d+",
    "a.b",
    "(?s)a.b",
    r"\bfoo\b",
    r"(?-u:\b)x",
    r"^a(?-u:\b)",
    r"^a(?-u:\B)",
    r"(?m)a$",
    "(?m)^b$",
    "^[a-z]+$",
    r"\w+",
    r"\s*x",
    "[^a-z]+",
    "(?i)k",
    "colou?r",
    "x{2,3}",
    "[&~|-]+",
    "é+",
    "\U0001F600+",
    "a|b$",
    r"(?x) a b ",
    r"[\p{Greek}&&\p{Ll}]+",
    r"\PL",
    r"[[:^digit:]]",
    r"(?U)a+",
    r"^\$\{x\}$",
]

INPUTS = [
    "", "abc", "ABC", "abc\n", "a\nb", "b\nc", "K", "\u212a", "k", "\u0661\u0662", "123",
    "ä", "é", "ééé", "x https://a", "https://a", "a.json", "a.json\n", "v12", "foo bar", "foobar",
    "afoo", "\U0001F600", "xx", "xxxx", "&~|", "-", "aXb", "ab", "color", "colour", "αβγ", "ΑΒ",
    "\u00e4x", " x", "\tx", "${x}", "b", "ba", "foo", "x", "aa", "a b", "a\u00e9", "a1",
]


def test_patterns_mean_what_mcfg_means(tmp_path):
    decls, cases, ok_configs = [], [], []
    for i, pat in enumerate(PATTERNS):
        decls.append(f"schema P{i} {{ v: string(matches {mcfg_string(pat)})? }}")
        ok_configs.append(f"config ok{i}: P{i} {{}}")
        for j, s in enumerate(INPUTS):
            cases.append(f"config c{i}_{j}: P{i} {{ v = {mcfg_string(s)} }}")
    failing = verdicts_of_mcfg(tmp_path, "\n".join(decls + cases) + "\n")
    schemas = schemas_of(tmp_path, "\n".join(decls + ok_configs) + "\n")
    jobs, comments = [], []
    for i, pat in enumerate(PATTERNS):
        prop = schemas[f"ok{i}"]["properties"]["v"]
        if "pattern" not in json.dumps(prop):
            comments.append(pat)
            assert "not expressed" in json.dumps(prop), prop
            continue
        jobs.append({"name": f"ok{i}", "schema": schemas[f"ok{i}"], "instances": [{"v": s} for s in INPUTS]})
    # Every pattern above has an exact translation short enough for `pattern`
    # but a Unicode word boundary (four copies of the Unicode `\w` class).
    assert comments == [r"\bfoo\b"], comments
    results = both_engines(jobs)
    wrong = []
    for job in jobs:
        i = int(job["name"][2:])
        a, p = results[job["name"]]
        for j, s in enumerate(INPUTS):
            want = f"c{i}_{j}" not in failing
            if a[j] != want or p[j] != want:
                wrong.append(f"{PATTERNS[i]!r} on {s!r}: mcfg {want}, ajv {a[j]}, jsonschema {p[j]}")
    assert not wrong, "\n".join(wrong)
    # The differential is not vacuous: both verdicts occur for most patterns.
    one_sided = [
        PATTERNS[i]
        for i in range(len(PATTERNS))
        if sum(f"c{i}_{j}" in failing for j in range(len(INPUTS))) in (0, len(INPUTS))
    ]
    assert one_sided == [], one_sided


FIELDS = """
  mode: "cpu" | "gpu" | "tpu" = "cpu"
  batch: int = 1
  rate: float = 0.5
  on: bool = false
  wait: duration = 1s
  tag: string? 
  inner: { depth: int = 0 }
"""

CHECKS = [
    'mode == "gpu" or batch <= 64',
    'mode != "cpu" or batch < 8',
    "batch >= 2 and rate < 1",
    "not on or batch > 4",
    "on",
    "not (batch == 3)",
    'mode in ["gpu", "tpu"] or rate <= 0.5',
    "wait <= 2s or on",
    'tag == null or tag != "bad"',
    'tag == "x" or batch == 1',
    "self.inner.depth <= 3",
    "inner.depth >= 1 or 10 > batch",
    'if mode == "gpu" then batch >= 8 else batch <= 8',
    "rate > -1.5",
]

VALUES = {
    "mode": ['"cpu"', '"gpu"', '"tpu"'],
    "batch": ["1", "3", "8", "100"],
    "rate": ["0.5", "2.0", "-2.0"],
    "on": ["true", "false"],
    "wait": ["1s", "3s"],
    "tag": [None, '"x"', '"bad"'],
    "inner.depth": ["0", "5"],
}


def test_checks_as_if_then_mean_what_mcfg_means(tmp_path):
    keys = list(VALUES)
    combos = list(itertools.product(*VALUES.values()))
    decls, cases, ok = [], [], []
    for i, check in enumerate(CHECKS):
        decls.append(f"schema C{i} {{{FIELDS}  check {check}\n}}")
        for j, combo in enumerate(combos):
            body = "; ".join(f"{k} = {v}" for k, v in zip(keys, combo) if v is not None)
            cases.append(f"config c{i}_{j}: C{i} {{ {body} }}")
    failing = verdicts_of_mcfg(tmp_path, "\n".join(decls + cases) + "\n")
    for i in range(len(CHECKS)):
        # A config for the schema export: the first combination mcfg accepts.
        j = next(j for j in range(len(combos)) if f"c{i}_{j}" not in failing)
        body = "; ".join(f"{k} = {v}" for k, v in zip(keys, combos[j]) if v is not None)
        ok.append(f"config ok{i}: C{i} {{ {body} }}")
    schemas = schemas_of(tmp_path, "\n".join(decls + ok) + "\n")

    def instance(combo):
        v = {}
        for k, raw in zip(keys, combo):
            if raw is None:
                continue
            val = {"1s": 1, "3s": 3, "2s": 2}.get(raw)
            val = json.loads(raw) if val is None else val
            if k == "inner.depth":
                v["inner"] = {"depth": val}
            else:
                v[k] = val
        return v

    jobs = []
    for i, check in enumerate(CHECKS):
        s = schemas[f"ok{i}"]
        assert "allOf" in s and "$comment" not in s, (check, s.get("$comment"))
        assert s["allOf"][0]["$comment"] == f"check {check}"
        jobs.append({"name": f"ok{i}", "schema": s, "instances": [instance(c) for c in combos]})
    assert "if" in schemas["ok0"]["allOf"][0]
    # Two fields compared: JSON Schema cannot say it; it stays a comment.
    rest = schemas_of(tmp_path / "x", f"schema S {{{FIELDS}  check inner.depth <= batch\n}}\nconfig s: S {{}}\n")
    assert rest["s"]["$comment"] == "not expressed in JSON Schema: check inner.depth <= batch"
    assert "allOf" not in rest["s"]
    results = both_engines(jobs)
    wrong = []
    for i, check in enumerate(CHECKS):
        a, p = results[f"ok{i}"]
        for j, combo in enumerate(combos):
            want = f"c{i}_{j}" not in failing
            if a[j] != want or p[j] != want:
                wrong.append(f"{check!r} on {instance(combo)}: mcfg {want}, ajv {a[j]}, jsonschema {p[j]}")
    assert not wrong, "\n".join(wrong[:20])
    for i, check in enumerate(CHECKS):
        n = sum(f"c{i}_{j}" in failing for j in range(len(combos)))
        assert 0 < n < len(combos), (check, n)
