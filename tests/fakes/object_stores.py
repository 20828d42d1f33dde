"""S3 and GCS emulators started by the suite: moto's server mode and gcp-storage-emulator.

Session fixtures launch each as a subprocess on a free 127.0.0.1 port and stop it at the end; they
never skip (the packages are in the [test] extra). `s3_media` / `gcs_media` give the settings that
point Rushes at a fresh prefix of the emulator's bucket, so tests never see each other's objects.
Import the fixtures into a test module to use them.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "rushesmedia"  # no dash: obstore percent-encodes it and the emulator then misses it
GCS_TOKEN = "fake-gcs-token"


@dataclass(frozen=True)
class Emulator:
    kind: str  # "s3" | "gs"
    base_url: str
    options: dict[str, str]
    token: str | None = None

    def settings(self, prefix: str | None = None) -> dict:
        """Settings overrides for media under a fresh prefix of the emulator's bucket."""
        prefix = prefix or f"t-{uuid.uuid4().hex[:10]}"
        values = {"media_url": f"{self.kind}://{BUCKET}/{prefix}", "media_options": dict(self.options)}
        if self.token:
            values["media_token"] = self.token
        return values


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"emulator exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"emulator at {url} did not start: {log.read_text(errors='replace')[-2000:]}")


def _launch(args: list[str], log: Path) -> subprocess.Popen:
    out = open(log, "wb")  # noqa: SIM115 - the child owns it until it exits
    try:
        return subprocess.Popen(args, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    finally:
        out.close()


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def s3_emulator(tmp_path_factory) -> Iterator[Emulator]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    proc = _launch([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], log)
    try:
        _wait_until_up(base, proc, log)
        assert httpx.put(f"{base}/{BUCKET}").status_code == 200  # create the bucket
        yield Emulator("s3", base, {"endpoint": base, "access_key_id": "test", "secret_access_key": "test",
                                    "region": "us-east-1"})
    finally:
        _stop(proc)


def _service_account(path: Path, base_url: str) -> None:
    """A throwaway service account: its RSA key signs URLs locally; gcs_base_url points at the emulator."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    path.write_text(json.dumps({
        "type": "service_account", "project_id": "test-project", "private_key_id": "test-key",
        "private_key": pem, "client_email": "rushes@test-project.iam.gserviceaccount.com",
        "gcs_base_url": base_url,
    }))


@pytest.fixture(scope="session")
def gcs_emulator(tmp_path_factory) -> Iterator[Emulator]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    folder = tmp_path_factory.mktemp("gcs")
    log = folder / "gcs.log"
    proc = _launch([sys.executable, "-m", "tests.fakes.gcs_emulator", "--port", str(port), "--bucket", BUCKET], log)
    try:
        _wait_until_up(base, proc, log)
        account = folder / "service-account.json"
        _service_account(account, base)
        yield Emulator("gs", base, {"service_account": str(account)}, token=GCS_TOKEN)
    finally:
        _stop(proc)


@pytest.fixture(scope="module", params=["s3", "gs"])
def object_media(request) -> Emulator:
    """Each test using this runs once with media on the S3 emulator and once on the GCS one."""
    return request.getfixturevalue("s3_emulator" if request.param == "s3" else "gcs_emulator")
