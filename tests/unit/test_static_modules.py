"""The browser code is ES modules: each one is reached from a page, the shared kit is the only home of the
frame rate, escaping and timecode formatting, window.rushes is the only window global, and every module is
asked for by a content-versioned URL through the import map the Content-Security-Policy allows by its hash."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

from rushes.web import static_assets
from rushes.web.security import csp

WEB = Path(static_assets.__file__).parent
STATIC = WEB / "static"
TEMPLATES = WEB / "templates"
KIT = STATIC / "kit"

IMPORT = re.compile(r"""(?:^import\s+(?:[^'";]*?\s+from\s+)?|\bimport\()\s*['"]([^'"]+)['"]""", re.M)
ASSET = re.compile(r"""asset\(\s*['"]([^'"]+\.js)['"]\s*\)""")


def modules() -> list[Path]:
    return sorted(STATIC.rglob("*.js"))


def name(path: Path) -> str:
    return path.relative_to(STATIC).as_posix()


def code(path: Path) -> str:
    """The module without its comments (a comment may mention window.Rushes or FPS = 24 in passing)."""
    text = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"(?m)^\s*//.*$|\s//\s.*$", "", text)


def imports_of(path: Path) -> list[Path]:
    return [(path.parent / spec).resolve() for spec in IMPORT.findall(path.read_text(encoding="utf-8"))]


def entries() -> set[Path]:
    """Modules the templates load (<script type="module" src="{{ asset(...) }}">) and the player harness."""
    found = {(STATIC / n).resolve() for t in TEMPLATES.glob("*.html") for n in ASSET.findall(t.read_text(encoding="utf-8"))}
    harness = (STATIC / "player-harness.html").read_text(encoding="utf-8")
    found |= {(STATIC / n).resolve() for n in re.findall(r'<script type="module" src="([^"]+)"', harness)}
    return found


def test_templates_load_only_modules():
    for template in TEMPLATES.glob("*.html"):
        for tag in re.findall(r"<script\b[^>]*\bsrc=[^>]*>", template.read_text(encoding="utf-8")):
            if "{{ assets }}/" in tag:
                continue  # /docs: Swagger UI's own bundle, a vendored classic script from its pip package
            assert 'type="module"' in tag and "asset(" in tag, (template.name, tag)


def test_every_import_names_a_module_that_exists():
    for module in modules():
        for target in imports_of(module):
            assert target.is_file(), (name(module), target)
            assert target.is_relative_to(STATIC.resolve()), (name(module), target)
    for entry in entries():
        assert entry.is_file(), entry


def test_every_module_is_loaded_by_a_page_or_imported():
    reached, todo = set(), list(entries())
    while todo:
        module = todo.pop()
        if module in reached:
            continue
        reached.add(module)
        todo.extend(imports_of(module))
    unreached = [name(m) for m in modules() if m.resolve() not in reached]
    assert not unreached, f"not loaded by any page nor imported: {unreached}"


def test_frame_rate_escaping_and_timecodes_live_in_the_kit():
    rules = {
        "a frame rate": re.compile(r"\bFPS\s*=(?!=)"),
        "an escaping function": re.compile(r"\b(?:const|let|var|function)\s+esc\b"),
        "timecode formatting": re.compile(r"/\s*3600\b|%\s*FPS\b|padStart\(2,\s*'0'\)\}?[^\n]*FPS"),
    }
    for module in modules():
        if module.is_relative_to(KIT):
            continue
        text = code(module)
        for what, rule in rules.items():
            assert not rule.search(text), f"{name(module)} defines {what}: import it from static/kit/"


def test_no_window_global_but_the_one_namespace():
    assignment = re.compile(r"\bwindow\.(\w+)(?:\.\w+)*\s*=(?!=)|Object\.assign\(\s*window\b")
    for module in modules():
        for match in assignment.finditer(code(module)):
            assert module == KIT / "namespace.js" and match.group(1) == "rushes", (name(module), match.group(0))
        assert "window.Rushes" not in code(module), name(module)


def test_page_events_are_declared_in_the_kit():
    declared = set(re.findall(r"'(rushes:[a-z-]+)'", (KIT / "events.js").read_text(encoding="utf-8")))
    for module in modules():
        if module.is_relative_to(KIT):
            continue
        text = code(module)
        assert not re.search(r"['\"]rushes:[a-z-]+['\"]", text), f"{name(module)}: use EVENTS from kit/events.js"
    assert {"rushes:issues-rendered", "rushes:notes-changed", "rushes:note-pinned", "rushes:locked"} <= declared


def test_the_import_map_versions_every_module_by_its_content():
    imports = json.loads(static_assets.import_map())["imports"]
    assert set(imports) == {f"/static/{name(m)}" for m in modules()}
    for module in modules():
        digest = hashlib.sha256(module.read_bytes()).hexdigest()[:12]
        assert imports[f"/static/{name(module)}"] == f"/static/{name(module)}?v={digest}"
    assert static_assets.asset("pages/review.js") == imports["/static/pages/review.js"]


def test_the_csp_allows_the_import_map_by_its_hash_and_no_other_inline_script():
    script_src = next(d for d in csp().split(";") if d.strip().startswith("script-src")).split()[1:]
    digest = base64.b64encode(hashlib.sha256(static_assets.import_map().encode()).digest()).decode()
    assert script_src == ["'self'", f"'sha256-{digest}'"]
    base = (TEMPLATES / "base.html").read_text(encoding="utf-8")
    # The hash holds only if base.html writes the map's text exactly, with nothing around it in the tag.
    assert '<script type="importmap">{{ IMPORT_MAP() | safe }}</script>' in base
