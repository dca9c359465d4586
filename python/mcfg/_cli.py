"""The `mcfg` command installed with the package: the Rust CLI, in-process."""

import sys

from . import _mcfg


def main() -> None:
    sys.stdout.flush()
    code = _mcfg.cli_main(["mcfg", *sys.argv[1:]])
    sys.exit(code)


if __name__ == "__main__":
    main()
