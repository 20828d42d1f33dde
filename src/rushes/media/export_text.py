"""Text that goes into an export, made harmless for its format: one place for every writer of edit decisions.

Names, titles and notes are typed by people; each format has its own ways to be broken by them:
- EDL (CMX 3600): a line break starts a bogus event or comment, so text is folded onto one line;
- FCP 7 XML: XML 1.0 forbids most control characters even escaped, so they are dropped (the XML writer
  escapes & < > itself);
- CSV: a cell starting with = + - @ (or a tab or carriage return) runs as a formula in a spreadsheet, so it
  is quoted as text (the csv module quotes separators and line breaks itself);
- OTIO JSON: the JSON writer escapes everything; control characters are dropped so other readers agree.
"""

from __future__ import annotations

import re

# C0 controls but tab, line feed and carriage return; DEL and the C1 controls; lone surrogates; and the two
# non-characters XML forbids.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def one_line(text: str) -> str:
    """Every run of whitespace (line breaks included) as one space."""
    return " ".join(text.split())


def safe_text(text: str | None, fmt: str) -> str:
    """`text` as it may appear in an export of format `fmt` (otio, edl, fcpxml, csv)."""
    clean = _CONTROL.sub("", text or "")
    if fmt in ("edl", "otio", "fcpxml"):
        return one_line(clean)
    if fmt == "csv":
        return "'" + clean if clean[:1] in FORMULA_STARTS else clean
    raise ValueError(f"unknown export format {fmt!r}")
