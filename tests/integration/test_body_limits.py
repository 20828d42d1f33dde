"""Bodies are bounded while they stream: an upload stops at the image limit, JSON stops at 1 MB, and a
422 never echoes a large input back."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from rushes.media.probe import MAX_IMAGE_BYTES
from rushes.bootstrap import bootstrap
from rushes.services.demo import create_demo
from rushes.web.limits import JSON_BODY_LIMIT, MULTIPART_ENVELOPE
from tests.integration.conftest import rushes_settings

GB = 1024**3
CHUNK = 64 * 1024


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    from rushes.web.app import create_app

    root = tmp_path_factory.mktemp("limits")
    rushes = bootstrap(rushes_settings(root))
    rushes.upgrade_schema()
    app = create_app(rushes, load_demo=False)
    from tests.integration.conftest import api_client

    with api_client(rushes, "owner", app=app) as client:
        demo = create_demo(rushes)
        # The demo locks its shot lists (a locked list answers 409 first); these probes are about bodies.
        client.post(f"/api/scenes/{demo['scene_ids'][0]}/locks", json={"stage": 7, "locked": False})
        shot = client.get(f"/api/scenes/{demo['scene_ids'][0]}").json()["shots"][0]["id"]
        yield app, client, rushes, shot
    rushes.db.dispose()


def stream_upload(app, path: str, total: int, declare_length: bool) -> tuple[int, int, str]:
    """POST a multipart body of `total` bytes, produced lazily; returns (status, bytes the app pulled, body)."""
    boundary = "rushesboundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nstart\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"huge.png\"\r\n"
            "Content-Type: image/png\r\n\r\n").encode()
    consumed = 0

    async def body():
        nonlocal consumed
        consumed += len(head)
        yield head
        block = b"\x89PNG" + b"\0" * (CHUNK - 4)
        sent = len(head)
        while sent < total:
            consumed += CHUNK
            sent += CHUNK
            yield block

    async def send():
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        if declare_length:
            headers["Content-Length"] = str(total)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await client.post(path, content=body(), headers=headers)
            return response.status_code, response.text

    status, text = asyncio.run(send())
    return status, consumed, text


def test_a_streamed_gigabyte_upload_is_refused_after_at_most_the_limit(limited, tmp_path):
    app, _, rushes, shot = limited
    media_before = sorted(p.name for p in rushes.media.root.rglob("*") if p.is_file())
    status, consumed, text = stream_upload(app, f"/api/shots/{shot}/frames/upload", GB, declare_length=False)
    assert status == 413, text
    assert "limit" in text
    # The app pulled no more than the limit (plus the multipart envelope and the chunk that crossed it).
    assert consumed <= MAX_IMAGE_BYTES + MULTIPART_ENVELOPE + CHUNK
    assert sorted(p.name for p in rushes.media.root.rglob("*") if p.is_file()) == media_before


def test_a_declared_gigabyte_is_refused_before_a_byte_is_read(limited):
    app, _, _, shot = limited
    status, consumed, text = stream_upload(app, f"/api/shots/{shot}/frames/upload", GB, declare_length=True)
    assert status == 413, text
    assert consumed <= CHUNK  # at most what the client pushed before the answer came


def test_json_bodies_above_one_megabyte_are_refused(limited):
    _, client, _, shot = limited
    big = {"action": "x" * (JSON_BODY_LIMIT + 10)}
    answer = client.patch(f"/api/shots/{shot}", json=big)
    assert answer.status_code == 413 and "limit" in answer.json()["detail"]
    # Just under the limit is parsed and validated as usual (and refused for its own reason).
    answer = client.patch(f"/api/shots/{shot}", json={"action": "x" * (JSON_BODY_LIMIT - 100)})
    assert answer.status_code == 422


def test_a_422_never_echoes_a_large_input(limited):
    _, client, _, shot = limited
    scene = client.get(f"/api/shots/{shot}/history").json()
    long_text = "lamp " * 100_000  # 500 kB, under the body limit
    for method, path, body in [
        ("POST", "/api/attribution", {"description": long_text}),
        ("PATCH", f"/api/shots/{shot}", {"action": long_text}),
        ("PATCH", f"/api/shots/{shot}", {"code": long_text}),
        ("PATCH", f"/api/shots/{shot}", {"characters": {"nested": [long_text[:200_000]] * 3}}),
        ("POST", "/api/scenes/1/shots/order", {"shot_ids": [long_text]}),
    ]:
        answer = client.request(method, path, json=body)
        assert answer.status_code == 422, (path, answer.text[:200])
        assert len(answer.content) < 2000, (path, len(answer.content))
    assert scene is not None
