"""`rushes doctor` against the fake Vertex server, moto and the GCS emulator: all ✓, then each part broken."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from rushes.cli import app as cli
from rushes.jobs.queue import now
from rushes.store import models as m
from rushes.store.operations import beat
from tests.fakes.object_stores import BUCKET, gcs_emulator, s3_emulator  # noqa: F401
from tests.fakes.vertex_fixtures import VERTEX_ENV_VARS, fake_vertex, fake_vertex_server, vertex_env  # noqa: F401
from tests.integration.conftest import make_rushes

VEO = "veo-3.1-fast-generate-001"
IMAGE = "gemini-2.5-flash-image"


@pytest.fixture
def site(tmp_path, fake_vertex, monkeypatch):
    """A healthy deployment's settings (as RUSHES_* variables), its database upgraded and a worker beating."""
    monkeypatch.chdir(tmp_path)  # no .env file
    for name in [n for n in __import__("os").environ if n.startswith("RUSHES_")]:
        monkeypatch.delenv(name)
    url = f"sqlite:///{tmp_path / 'rushes.db'}"
    env = {"RUSHES_DATABASE_URL": url, "RUSHES_MEDIA_DIR": str(tmp_path / "media"),
           "RUSHES_VIDEO_PROVIDER": "veo", "RUSHES_IMAGE_PROVIDER": "gemini", "RUSHES_VEO_MODEL": VEO,
           "RUSHES_VERTEX_BASE_URL": fake_vertex.base_url, "RUSHES_VERTEX_TOKEN": fake_vertex.token,
           "RUSHES_VERTEX_PROJECT": "test-project", "RUSHES_VERTEX_LOCATION": "us-central1",
           "RUSHES_HOST": "0.0.0.0", "RUSHES_PUBLIC_URL": "https://rushes.example.com",
           "RUSHES_ALLOWED_HOSTS": "rushes.example.com,127.0.0.1", "RUSHES_LOAD_DEMO": "false"}
    app = make_rushes(tmp_path, url)
    beat_worker(app, age=1.0)
    yield env, app
    app.db.dispose()


def beat_worker(app, age: float, name: str = "host:1:ab", state: str = "running") -> None:
    with app.db.session() as session:
        beat(session, name, "host", 1, 2, state, now() - age)
        session.get(m.WorkerHeartbeat, name).beat_at = now() - age


def doctor(env: dict[str, str], **changes: str | None) -> tuple[int, list[str]]:
    values = {**env, **changes}
    values = {k: v for k, v in values.items() if v is not None}
    result = CliRunner().invoke(cli, ["doctor"], env=values)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output.strip().splitlines()


def line(lines: list[str], name: str) -> str:
    [found] = [text for text in lines if text[2:].startswith(name)]
    return found


def test_a_healthy_deployment_passes_every_check_with_metadata_calls_only(site, fake_vertex):
    env, _ = site
    code, lines = doctor(env)
    assert code == 0, lines
    assert all(text.startswith("✓") for text in lines[:-1]), lines
    assert lines[-1] == "8 of 8 checks passed"
    from rushes.observe.checks import head_revision

    assert f"at the latest migration ({head_revision()})" in line(lines, "database")
    assert "reachable (v1 API, version 001" in line(lines, f"Veo model {VEO}")
    assert line(lines, f"image model {IMAGE}").startswith("✓")
    assert "1 worker process(es), 2 thread(s)" in line(lines, "worker heartbeat")
    # Metadata calls on v1, nothing that renders or draws (nothing billed).
    assert [(r.method, r.path) for r in fake_vertex.requests] == [
        ("GET", f"/v1/publishers/google/models/{VEO}"), ("GET", f"/v1/publishers/google/models/{IMAGE}")]


def test_the_real_command_exits_nonzero_and_prints_a_fix_per_failure(site, tmp_path):
    env, _ = site
    env = {**{k: v for k, v in __import__("os").environ.items() if not k.startswith(("RUSHES_", "GOOGLE_"))},
           **env, "RUSHES_ALLOWED_HOSTS": "127.0.0.1"}
    done = subprocess.run([sys.executable, "-m", "rushes.cli", "doctor"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    [broken] = [text for text in done.stdout.splitlines() if text.startswith("✗")]
    assert broken == ("✗ public URL and allowed hosts: links name rushes.example.com, but RUSHES_ALLOWED_HOSTS="
                      "127.0.0.1 would answer it 400 — fix: add rushes.example.com to RUSHES_ALLOWED_HOSTS")


def test_a_database_behind_the_code_or_unreachable(site, tmp_path):
    env, _ = site
    code, lines = doctor(env, RUSHES_DATABASE_URL=f"sqlite:///{tmp_path / 'empty.db'}")
    assert code == 1
    from rushes.observe.checks import head_revision

    assert f"is at migration none, the code needs {head_revision()}" in line(lines, "database")
    assert "fix: run `rushes db upgrade`" in line(lines, "database")
    code, lines = doctor(env, RUSHES_DATABASE_URL="postgresql+psycopg://nobody:secretpw@127.0.0.1:9/rushes")
    assert code == 1 and "unreachable" in line(lines, "database") and "secretpw" not in "\n".join(lines)
    assert line(lines, "worker heartbeat").startswith("✗")


def test_an_unwritable_local_media_folder(site, tmp_path):
    env, _ = site
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    code, lines = doctor(env, RUSHES_MEDIA_DIR=str(blocker / "media"))
    assert code == 1
    assert line(lines, "media store").startswith("✗ media store: local folder")
    assert "fix: create the folder RUSHES_MEDIA_DIR" in line(lines, "media store")


@pytest.mark.parametrize("kind", ["s3", "gs"])
def test_object_storage_is_written_and_read_back_or_named_broken(site, kind, request):
    env, _ = site
    emulator = request.getfixturevalue("s3_emulator" if kind == "s3" else "gcs_emulator")
    media = emulator.settings()
    import json

    store = {"RUSHES_MEDIA_URL": media["media_url"], "RUSHES_MEDIA_OPTIONS": json.dumps(media["media_options"]),
             "RUSHES_MEDIA_ALLOW_HTTP": "true", "RUSHES_MEDIA_TOKEN": media.get("media_token")}
    code, lines = doctor(env, **store)
    assert code == 0, lines
    assert line(lines, "media store") == f"✓ media store: {media['media_url']}: wrote and read back a probe object"
    wrong = media["media_url"].replace(BUCKET, "nosuchbucket")
    code, lines = doctor(env, **{**store, "RUSHES_MEDIA_URL": wrong})
    assert code == 1
    assert line(lines, "media store").startswith(f"✗ media store: {wrong}: cannot write and read back")


def test_missing_credentials_project_or_the_wrong_region(site, tmp_path):
    env, _ = site
    code, lines = doctor(env, RUSHES_VERTEX_TOKEN=None, GOOGLE_APPLICATION_CREDENTIALS=str(tmp_path / "none.json"))
    assert code == 1
    assert "no Application Default Credentials" in line(lines, "Vertex credentials")
    assert "gcloud auth application-default login" in line(lines, "Vertex credentials")
    code, lines = doctor(env, RUSHES_VERTEX_PROJECT=None)
    assert code == 1 and "fix: set RUSHES_VERTEX_PROJECT" in line(lines, "Vertex project and location")
    code, lines = doctor(env, RUSHES_VERTEX_LOCATION="europe-west4")
    assert code == 1
    assert "runs only in us-central1 — fix: set RUSHES_VERTEX_LOCATION=us-central1" in line(lines, "Vertex project")


def test_models_vertex_does_not_serve_or_credentials_it_refuses(site, fake_vertex):
    env, _ = site
    fake_vertex.known_models.discard(VEO)
    code, lines = doctor(env)
    assert code == 1
    assert "404" in line(lines, f"Veo model {VEO}") and line(lines, f"image model {IMAGE}").startswith("✓")
    fake_vertex.known_models.discard(IMAGE)
    code, lines = doctor(env)
    assert line(lines, f"image model {IMAGE}").startswith("✗")
    code, lines = doctor(env, RUSHES_VERTEX_TOKEN="wrong-token-value")
    assert "fix: grant the credentials roles/aiplatform.user" in line(lines, f"Veo model {VEO}")
    assert fake_vertex.submissions == []


def test_a_retired_model_in_the_settings_is_named_with_the_valid_ones(site):
    env, _ = site
    code, lines = doctor(env, RUSHES_VEO_MODEL="veo-3.0-generate-001")
    assert code == 1
    assert lines[0].startswith("✗ settings: RUSHES_VEO_MODEL: video model 'veo-3.0-generate-001' is not available "
                               "(discontinued on 2026-06-30); use one of: veo-3.1-generate-001, veo-3.1-fast-generate-001")


def test_no_fresh_worker_heartbeat(site):
    env, app = site
    beat_worker(app, age=600.0)
    code, lines = doctor(env)
    assert code == 1
    assert re.search(r"no worker beat in the last 60 s; the last one beat 6\d\d s ago \(running\)",
                     line(lines, "worker heartbeat"))
    beat_worker(app, age=1.0, state="stopped")
    code, lines = doctor(env)
    assert code == 1 and line(lines, "worker heartbeat").startswith("✗")


def test_public_url_consistency(site):
    env, _ = site
    code, lines = doctor(env, RUSHES_PUBLIC_URL=None)
    assert code == 1 and "fix: set RUSHES_PUBLIC_URL" in line(lines, "public URL")
    code, lines = doctor(env, RUSHES_PUBLIC_URL="http://rushes.example.com")
    assert code == 1 and "plain http" in line(lines, "public URL")
