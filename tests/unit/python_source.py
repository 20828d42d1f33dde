"""Read our own Python source as a syntax tree, for the tests that check the shape of the code."""

from __future__ import annotations

import ast
from pathlib import Path


def parse(path: Path) -> ast.Module:
    """`ast.parse` of one file, tried again if CPython 3.11 trips over another thread.

    CPython 3.11 before 3.11.8 keeps one AST recursion counter per interpreter (gh-106905): when another
    thread parses at the same moment (the traceback module does, to place carets in a logged traceback),
    either side can fail with "SystemError: AST constructor recursion depth mismatch". The file is fine;
    a second try reads it.
    """
    text = path.read_text(encoding="utf-8")
    for attempt in range(4):
        try:
            return ast.parse(text, filename=str(path))
        except SystemError:
            if attempt == 3:
                raise
    raise AssertionError("unreachable")
