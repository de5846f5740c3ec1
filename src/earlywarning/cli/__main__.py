"""``python -m earlywarning.cli``: the same command line as ``python -m earlywarning``."""

import sys

from earlywarning.cli import main

__all__: list[str] = []

if __name__ == "__main__":
    sys.exit(main())
