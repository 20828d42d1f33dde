"""Which version of each static file a page asks for, and the import map that sends every module there.

The browser code is ES modules importing each other by relative paths (static/kit/, static/pages/). A page
loads its entry as /static/pages/<page>.js?v=<digest>; the import map in base.html maps every module's
plain URL to its ?v=<digest> URL, so an import of a changed module is a new URL (never a stale copy from
the cache mixed with fresh ones) and an unchanged one stays cached. Digests are taken once, at start-up.

The map is an inline script, which the Content-Security-Policy allows by its sha256 only (security.py):
there is still no other inline script.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from pathlib import Path

STATIC = Path(__file__).parent / "static"


@lru_cache(maxsize=1)
def versions() -> dict[str, str]:
    """Every static file (path under static/, with "/") and the first 12 hex digits of its content's sha256."""
    return {p.relative_to(STATIC).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()[:12]
            for p in sorted(STATIC.rglob("*")) if p.is_file()}


def asset(name: str) -> str:
    """The URL a page uses for static/`name`: versioned by content, so a change is never served from cache."""
    digest = versions().get(name)
    return f"/static/{name}?v={digest}" if digest else f"/static/{name}"


@lru_cache(maxsize=1)
def import_map() -> str:
    """The import map's JSON text exactly as base.html writes it (its hash is what the CSP allows)."""
    modules = {f"/static/{name}": asset(name) for name in versions() if name.endswith(".js")}
    text = json.dumps({"imports": modules}, sort_keys=True, separators=(",", ":"))
    assert "<" not in text, "a module path must not be able to end the <script> it sits in"
    return text


@lru_cache(maxsize=1)
def import_map_source() -> str:
    """The CSP source that allows the inline import map, and nothing else: 'sha256-<base64 digest>'."""
    digest = hashlib.sha256(import_map().encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"
