"""Optional dependencies: imported when first needed, or refused with the extra that installs them.

Every optional import of the package goes through :func:`require`, so the message that says what
to install is written once. The error is the caller's own subclass of
:class:`~earlywarning.errors.EarlyWarningError` and :class:`ImportError` (so either kind of
``except`` catches it), with ``name`` set as on any ImportError.

Example:
    >>> from earlywarning._optional import require
    >>> from earlywarning.errors import PlotDependencyError
    >>> require("math", PlotDependencyError, "charts need", "plot").__name__
    'math'
    >>> require("no_such_module", PlotDependencyError, "charts need", "plot")
    Traceback (most recent call last):
    ...
    earlywarning.errors.PlotDependencyError: charts need no_such_module, which is not installed: ...
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["require"]


def require(
    module: str, error: type[ImportError], who_needs: str, extra: str, package: str = ""
) -> ModuleType:
    """Import ``module``, or raise ``error`` saying who needs it and which extra installs it.

    ``who_needs`` begins the message, as in "plots need" or "the logistic-regression baseline
    needs"; the package's name follows it (``package``, where it is not the module's first part,
    as scikit-learn's is not).
    """
    try:
        # the package first: a submodule imported earlier stays in sys.modules after its
        # package has gone, so asking for the submodule alone could succeed
        importlib.import_module(module.split(".")[0])
        return importlib.import_module(module)
    except ImportError as exc:
        package = package or module.split(".")[0]
        missing = error(
            f'{who_needs} {package}, which is not installed: pip install "earlywarning[{extra}]"'
        )
        missing.name = module.split(".")[0]
        raise missing from exc
