"""docs/operations.md "Runtime flags and experiments": the Python service shown
there runs as shown against the example's build, and a rebuilt flag file
reaches a running provider without a restart."""

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from openfeature import api
from openfeature.contrib.provider.flagd import FlagdProvider
from openfeature.contrib.provider.flagd.config import ResolverType
from openfeature.evaluation_context import EvaluationContext

REPO = Path(__file__).resolve().parents[2]
MCFG = os.environ.get("MCFG", str(REPO / "target" / "debug" / "mcfg"))
DOC = (REPO / "docs" / "operations.md").read_text()


def build(src, out):
    proc = subprocess.run([MCFG, "build", str(src), "-o", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_the_documented_service_prints_what_the_doc_shows(tmp_path):
    section = DOC.split("## Runtime flags and experiments")[1].split("\n## ")[0]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    shown = re.search(r"```text\n\$ python3 service.py (\S+)\n(.*?)```", section, re.S)
    out = tmp_path / "ranking-flags"
    build(REPO / "examples" / "ranking", out)
    (tmp_path / "service.py").write_text(code)
    flag_file = shown.group(1).replace("/tmp/ranking-flags/", f"{out}/")
    proc = subprocess.run(
        [sys.executable, str(tmp_path / "service.py"), flag_file], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == shown.group(2)


def test_a_rebuilt_flag_file_reaches_a_running_service_without_restart(tmp_path):
    src = tmp_path / "ranking"
    shutil.copytree(REPO / "examples" / "ranking", src)
    out = tmp_path / "build"
    build(src, out)
    path = str(out / "prod" / "flags.flagd.json")
    api.set_provider_and_wait(
        FlagdProvider(resolver_type=ResolverType.FILE, offline_flag_source_path=path),
        domain="reload",
    )
    client = api.get_client(domain="reload")

    def arms():
        return {
            client.get_object_details(
                "search.suggest_sampler", {}, EvaluationContext(targeting_key=f"u{i}")
            ).variant
            for i in range(300)
        }

    try:
        assert arms() == {"greedy", "warm", "hot"}
        flags = src / "models" / "flags.mcfg"
        text = flags.read_text()
        edited = text.replace('salt = "suggest-2026-12"', 'salt = "suggest-2026-12"\n    enabled = false')
        assert edited != text
        flags.write_text(edited)
        build(src, out)
        deadline = time.monotonic() + 15
        while arms() != {"greedy"}:
            assert time.monotonic() < deadline, "the provider never served the new file"
            time.sleep(0.2)
    finally:
        api.shutdown()
