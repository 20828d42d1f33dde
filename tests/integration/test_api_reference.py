"""The API describes its answers: every JSON operation has a response schema, and /docs shows them.

/docs is served from the swagger-ui-bundle package's files under the same strict Content-Security-Policy
as every page: same-origin assets only, the start-up script an external file.
"""

from __future__ import annotations

import re

import pytest
from rushes.web.security import csp
from tests.integration.conftest import anonymous_client, api_client, cookie_client, make_rushes

# Answers that are not JSON documents: files, event streams, empty 204s.
NOT_JSON = {"text/event-stream", "video/mp4", "application/zip", "text/plain", "text/csv", "application/xml",
            "application/vnd.opentimelineio+json"}


@pytest.fixture
def rushes(tmp_path):
    rushes = make_rushes(tmp_path)
    yield rushes
    rushes.db.dispose()


@pytest.fixture
def spec(rushes):
    with api_client(rushes, role="reviewer") as client:
        return client.get("/openapi.json").json()


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def test_every_json_operation_under_api_describes_its_success_answer(spec):
    undocumented = []
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            successes = {code: r for code, r in operation["responses"].items() if code.startswith("2")}
            assert successes, f"{method.upper()} {path} documents no success answer"
            for code, answer in successes.items():
                for media_type, content in answer.get("content", {}).items():
                    if media_type in NOT_JSON:
                        continue
                    schema = _resolve(spec, content.get("schema") or {})
                    # An object with no properties is a bare dict: it says nothing about the answer.
                    if not schema or (schema.get("type") == "object" and not schema.get("properties")) or (
                            schema.get("type") == "array" and not _resolve(spec, schema.get("items", {})).get("properties")):
                        undocumented.append(f"{method.upper()} {path} {code}")
    assert not undocumented, "no response model: " + ", ".join(sorted(undocumented))


def test_docs_page_uses_only_same_origin_assets_under_the_unchanged_csp(rushes):
    with cookie_client(rushes, role="reviewer") as client:
        page = client.get("/docs")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert page.headers["content-security-policy"] == csp()
        html = page.text
        assert "<script>" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script
        assets = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert assets and all(a.startswith("/") and not a.startswith("//") for a in assets), assets
        for asset in assets:
            answer = client.get(asset)
            assert answer.status_code == 200, asset
        spec_url = re.search(r'data-spec="([^"]+)"', html).group(1)
        assert client.get(spec_url).json()["info"]["title"] == "Rushes"


def test_docs_are_for_signed_in_members(rushes):
    with anonymous_client(rushes) as client:
        answer = client.get("/docs", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/signin")
    with api_client(rushes, role="reviewer") as client:
        assert client.get("/docs").status_code == 200
