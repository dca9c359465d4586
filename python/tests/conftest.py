import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SOURCES = textwrap.dedent(
    """\
    environments {
      dev
      prod
    }

    /// A training run.
    schema Trainer {
      /// Optimiser settings.
      optim: Optim
      /// Passes over the data.
      epochs: int(>= 1) = 3
      /// Per-request deadline of the serving side.
      timeout: duration(>= 10ms, <= 30s) = 200ms @runtime
      /// Share of traffic on the new model.
      rollout: float(>= 0, <= 100) = 10 @runtime
      name: string = "trainer"
    }

    schema Optim {
      /// Learning rate.
      lr: float(> 0, <= 1) = 0.001
      momentum: float(>= 0, < 1) = 0.9
    }

    config trainer: Trainer {
      env prod { epochs = 10 }
    }
    """
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    src = tmp_path / "configs"
    src.mkdir()
    (src / "trainer.mcfg").write_text(SOURCES)
    return src


def build(src: Path, out: Path, *extra: str) -> Path:
    """Runs the package's own `mcfg` command (the Rust CLI in-process)."""
    subprocess.run(
        [sys.executable, "-m", "mcfg._cli", "build", str(src), "-o", str(out), *extra],
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture
def built(project: Path, tmp_path: Path) -> Path:
    return build(project, tmp_path / "build")
