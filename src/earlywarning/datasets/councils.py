"""Council names and ONS codes as the bundled data know them, for readers of a user's own files.

:mod:`earlywarning.local` checks the councils its files name through this module rather than
through :mod:`earlywarning.datasets` itself, so that the profile builder there may in turn read
local facts without an import cycle.
"""

from earlywarning.datasets._england import council_names, resolve_council, resolve_councils

__all__ = ["council_names", "resolve_council", "resolve_councils"]
