"""pmkt_lessons: the companion package of the precision-marketing course (lessons 00-24).

Export policy: nothing is re-exported here; import from the module that owns
a name (``from pmkt_lessons.recsys import ItemKNN``,
``from pmkt_lessons.simulate.clicks import simulate_click_log``). A
sub-package's ``__init__`` re-exports the public names of its modules
(``recsys``, ``bandits``, ``experiments``), except ``simulate``, whose topics are
imported from their own modules. The package map is in ``docs/CONTRIBUTING.md``.
Introduced in lesson 00.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("pmkt_lessons")
except PackageNotFoundError:  # run from a checkout without installing (e.g. tools/gpu_check.py)
    __version__ = "0.1.0"

__all__ = ["__version__"]
