"""Health checks shared by `rushes doctor` and /readyz: each says what it found and, when it fails, the fix.

None of them spends money: Vertex is asked for model metadata (`models.get`), never for a render.
"""

from __future__ import annotations

import io
import os
import uuid
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from rushes.redact import redact


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        mark = "✓" if self.ok else "✗"
        text = f"{mark} {self.name}: {self.detail}"
        return text if self.ok or not self.fix else f"{text} — fix: {self.fix}"


def _failure(exc: BaseException) -> str:
    return redact(f"{type(exc).__name__}: {exc}".strip())[:300]


@lru_cache(maxsize=1)
def head_revision() -> str:
    from alembic.script import ScriptDirectory

    from rushes.store.migrate import alembic_config

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or ""


def check_database(rushes) -> Check:
    from rushes.store.migrate import current_revision

    shown = redact(rushes.settings.database_url)
    try:
        current = current_revision(rushes.db.reader)  # the read-only engine: no SQLite write lock per probe
    except Exception as exc:  # noqa: BLE001 - any failure to reach it is the finding
        return Check("database", False, f"{shown} is unreachable ({_failure(exc)})",
                     "start the database or correct RUSHES_DATABASE_URL")
    head = head_revision()
    if current != head:
        return Check("database", False, f"{shown} is at migration {current or 'none'}, the code needs {head}",
                     "run `rushes db upgrade` (with the new code) before starting web and worker processes")
    return Check("database", True, f"{shown} reachable, at the latest migration ({head})")


def _probe_png() -> bytes:
    """A fresh 1×1 PNG (unique bytes, so the write really happens: the store skips known content)."""
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("rushes-probe", uuid.uuid4().hex)
    out = io.BytesIO()
    Image.new("RGB", (1, 1)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


READINESS_PROBE = b"rushes readiness probe"  # one fixed object: /readyz runs every few seconds


def where_media(settings) -> str:
    return settings.media_url or f"local folder {settings.media_dir}"


def check_media(rushes, write: bool = True) -> Check:
    """Write a new object and read it back (doctor), or read the fixed readiness object (readyz)."""
    where = where_media(rushes.settings)
    fix = ("check the bucket, its credentials (RUSHES_MEDIA_OPTIONS / RUSHES_MEDIA_TOKEN) and RUSHES_MEDIA_URL"
           if rushes.settings.media_url else "create the folder RUSHES_MEDIA_DIR and make it writable by this user")
    data = _probe_png() if write else READINESS_PROBE
    try:
        key = rushes.media.put(data, "png")
        back = rushes.media.read(key)
    except Exception as exc:  # noqa: BLE001
        return Check("media store", False, f"{where}: cannot write and read back ({_failure(exc)})", fix)
    if back != data:
        return Check("media store", False, f"{where}: read back different bytes than written", fix)
    return Check("media store", True, f"{where}: {'wrote and read back' if write else 'read'} a probe object")


def vertex_used(settings) -> list[str]:
    used = []
    if settings.video_provider == "veo":
        used.append(f"video {settings.veo_model}")
    if settings.image_provider == "gemini":
        used.append(f"frames {settings.gemini_image_model}")
    if settings.attribution == "gemini":
        used.append(f"attribution {settings.gemini_text_model}")
    return used


def check_vertex_credentials(settings) -> Check:
    if settings.vertex_token:
        return Check("Vertex credentials", True, "a static access token (RUSHES_VERTEX_TOKEN)")
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    try:
        credentials, project = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
    except DefaultCredentialsError as exc:
        return Check("Vertex credentials", False, f"no Application Default Credentials ({_failure(exc)})",
                     "run `gcloud auth application-default login`, attach a service account, or set "
                     "GOOGLE_APPLICATION_CREDENTIALS to a key file")
    kind = type(credentials).__module__.rsplit(".", 1)[-1] + "." + type(credentials).__name__
    return Check("Vertex credentials", True, f"Application Default Credentials ({kind}"
                 + (f", project {project})" if project else ")"))


def vertex_place(settings) -> tuple[str | None, str | None]:
    project = settings.vertex_project or os.environ.get("GOOGLE_CLOUD_PROJECT")
    location = settings.vertex_location or os.environ.get("GOOGLE_CLOUD_LOCATION")
    return project, location


def check_vertex_place(settings) -> Check:
    from rushes.providers.video.models import card

    project, location = vertex_place(settings)
    if not project:
        return Check("Vertex project and location", False, "no project set",
                     "set RUSHES_VERTEX_PROJECT (or GOOGLE_CLOUD_PROJECT) to the Google Cloud project id")
    if not location:
        return Check("Vertex project and location", False, f"project {project}, no location set",
                     "set RUSHES_VERTEX_LOCATION=us-central1 (where Veo 3.1 runs)")
    if settings.video_provider == "veo":
        regions = card(settings.veo_model).regions
        if location not in regions:
            return Check("Vertex project and location", False,
                         f"project {project}, location {location}: {settings.veo_model} runs only in {', '.join(regions)}",
                         f"set RUSHES_VERTEX_LOCATION={regions[0]}")
    return Check("Vertex project and location", True, f"project {project}, location {location}")


def check_model(settings, model: str, what: str) -> Check:
    """Ask Vertex for the model's metadata: proves credentials, network, API version and model id at no cost."""
    from rushes.providers.errors import ProviderError
    from rushes.providers.vertex import VERTEX_ERRORS, make_client, map_api_error

    name = f"{what} model {model}"
    try:
        client = make_client(settings, timeout_ms=15_000)
        found = client.models.get(model=model)
    except (*VERTEX_ERRORS, ProviderError) as exc:  # type: ignore[misc]  # a starred tuple of exception types is not followed
        code = getattr(exc, "code", None)
        reason = map_api_error(exc).reason
        if code == 404:
            fix = "choose a model Vertex serves (see providers/video/models.py); preview and retired ids are gone"
        elif code in (401, 403):
            fix = "grant the credentials roles/aiplatform.user on the project and enable the Vertex AI API"
        else:
            fix = "check network access to Vertex AI and RUSHES_VERTEX_BASE_URL / RUSHES_VERTEX_API_VERSION"
        return Check(name, False, f"not reachable ({redact(reason)[:300]})", fix)
    version = f", version {found.version}" if found.version else ""
    return Check(name, True, f"reachable ({settings.vertex_api_version} API{version}; metadata only, nothing billed)")


def check_workers(rushes) -> Check:
    from rushes.jobs.queue import now
    from rushes.store.operations import live_workers, newest_beat

    stale = rushes.settings.worker_stale_seconds
    fix = "start `rushes worker` (or `rushes serve` without --no-worker) against this database"
    try:
        with rushes.db.read_session() as session:  # never the write lock: /readyz runs every few seconds
            t = now()
            live = live_workers(session, t, stale)
            last = newest_beat(session) if not live else None
    except Exception as exc:  # noqa: BLE001
        return Check("worker heartbeat", False, f"cannot read heartbeats ({_failure(exc)})", fix)
    if not live:
        seen = f"; the last one beat {t - last.beat_at:.0f} s ago ({last.state})" if last else "; none ever beat"
        return Check("worker heartbeat", False, f"no worker beat in the last {stale:.0f} s{seen}", fix)
    freshest = t - live[0].beat_at
    threads = sum(w.threads for w in live)
    return Check("worker heartbeat", True,
                 f"{len(live)} worker process(es), {threads} thread(s); newest beat {freshest:.0f} s ago")


def check_public_url(settings) -> Check:
    hosts = settings.allowed_host_list
    if not settings.public_url:
        if settings.host in ("127.0.0.1", "localhost", "::1"):
            return Check("public URL and allowed hosts", True, f"local only: links use {settings.base_url()}")
        return Check("public URL and allowed hosts", False,
                     f"listening on {settings.host} with no RUSHES_PUBLIC_URL: sign-in and review links would "
                     f"name {settings.base_url()}", "set RUSHES_PUBLIC_URL to the address people open, e.g. "
                     "https://rushes.example.com")
    parts = urlsplit(settings.public_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return Check("public URL and allowed hosts", False, f"RUSHES_PUBLIC_URL={settings.public_url} is not a URL",
                     "set it to scheme and host, e.g. https://rushes.example.com")
    if parts.hostname not in hosts and "*" not in hosts:
        return Check("public URL and allowed hosts", False,
                     f"links name {parts.hostname}, but RUSHES_ALLOWED_HOSTS={','.join(hosts)} would answer it 400",
                     f"add {parts.hostname} to RUSHES_ALLOWED_HOSTS")
    if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        return Check("public URL and allowed hosts", False, f"links use plain http to {parts.hostname}",
                     "serve it over https behind the proxy and set RUSHES_PUBLIC_URL=https://...")
    return Check("public URL and allowed hosts", True, f"links use {settings.public_url.rstrip('/')}, "
                 f"and {parts.hostname} is an allowed host")


def doctor_checks(rushes) -> list[Check]:
    """Everything, in the order an operator fixes things."""
    s = rushes.settings
    found = [check_database(rushes), check_media(rushes, write=True)]
    used = vertex_used(s)
    if not used:
        found.append(Check("Vertex AI", True, "not used (mock video and image providers, local attribution)"))
    else:
        found += [check_vertex_credentials(s), check_vertex_place(s)]
        if s.video_provider == "veo":
            found.append(check_model(s, s.veo_model, "Veo"))
        if s.image_provider == "gemini":
            found.append(check_model(s, s.gemini_image_model, "image"))
    found += [check_workers(rushes), check_public_url(s)]
    return found


def readiness(rushes) -> list[Check]:
    """What /readyz answers from: cheap, and nothing written beyond one fixed object."""
    found = [check_database(rushes), check_media(rushes, write=False)]
    if rushes.settings.ready_needs_worker:
        found.append(check_workers(rushes))
    return found
