"""``python -m earlywarning``: the command line, as ``earlywarning`` runs it."""

import sys

from earlywarning.cli import main

__all__: list[str] = []

if __name__ == "__main__":
    sys.exit(main())
