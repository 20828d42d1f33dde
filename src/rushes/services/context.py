"""Where the composition root used to live; it is rushes.bootstrap now. Kept so code written against
this path keeps importing while the branches of issue 19 are merged."""

from rushes.bootstrap import Rushes, bootstrap

__all__ = ["Rushes", "bootstrap"]
