"""A local fake of the Vertex AI REST endpoints the real `google-genai` SDK calls for Veo and Gemini.

Start it in a test (state lives in the FakeVertex object, so SDK clients can be re-created freely)::

    with FakeVertex() as fake:              # 127.0.0.1, ephemeral port, Bearer "fake-token" required
        client = genai.Client(vertexai=True, project="test-project", location="us-central1",
                              credentials=Credentials(token=fake.token),
                              http_options=types.HttpOptions(base_url=fake.base_url))

or standalone: ``python -m tests.fakes.vertex_server --port 8765`` (then RUSHES_VERTEX_BASE_URL=
http://127.0.0.1:8765 and RUSHES_VERTEX_TOKEN=fake-token).

Scripting (every script is a queue consumed in order; when it runs dry the default applies):

- ``fake.script_submit([429, 429, "ok"])``: answers to the next ``:predictLongRunning`` calls. An item is
  "ok", an HTTP status, or a dict ``{"status": 429, "message": ..., "retry_after": 7, "delay": 2}``.
- ``fake.script_operation(polls_until_done=3, outcome="video", video_bytes=...)``: the next accepted
  submission's operation. Outcomes: video, gcs, safety, error, empty (zero-byte video), corrupt (a
  truncated MP4), novideo (done, no videos, nothing filtered). A submission's ``sampleCount`` videos come
  back (``sample_0..N-1``); ``filtered=k`` removes k of them as the safety filter does (raiMediaFilteredCount). ``video_bytes`` is bytes or a callable
  taking the submitted JSON body. ``fake.default_operation(...)`` sets what unscripted submissions get.
- ``fake.script_poll([500, "ok"])``: answers to the next ``:fetchPredictOperation`` calls; a failed poll
  does not advance the operation. Unknown operation names get a 404 in Google's error shape.
- ``fake.script_generate_content(model, [...])``: answers to ``{model}:generateContent`` (model "*" =
  any). Items: ``{"text": "..."}``, ``{"json": {...}}`` (serialised into a text part: structured output),
  ``{"image": png_bytes, "mime": "image/png", "text": optional}``, ``{"parts": [raw parts]}``,
  ``{"finish_reason": "SAFETY"}``, ``{"block_reason": "SAFETY"}`` (prompt blocked), ``{"status": 500}``,
  ``{"delay": 5, ...}`` (seconds, then the rest of the item), or a callable ``(body) -> item``.
  Unscripted: image models (name contains "image") return a small PNG; others return ``fake.default_text``.

Quota: ``fake.set_quota(per_window=10, window=60.0)`` makes ``:predictLongRunning`` answer 429
RESOURCE_EXHAUSTED (as Vertex does) once ``per_window`` submissions were accepted within the last
``window`` seconds, counted at arrival; ``fake.use_quota(n)`` counts n submissions from "another
client" as accepted just before our next one arrives. ``fake.quota_refusals`` counts the 429s it gave, ``fake.accepted_at``
the arrival times of accepted submissions (monotonic clock).

API versions: the fake serves ``v1`` (what Rushes sends). On ``v1beta1`` (the SDK's own default) it
answers the GA Veo 3.1 models' ``:predictLongRunning`` with the 400 RESOURCE_PROJECT_INVALID reported
for real Vertex (googleapis/python-genai#2079), so a client left on the default version fails here too.
Any other version is 404. ``fake.versions`` counts the versions seen.

Model metadata (what ``client.models.get`` reads, used by ``rushes doctor``; never billed): a GET on
``/v1/publishers/google/models/{m}`` (the SDK's path, no project) answers the publisher model for the ids in ``fake.known_models``
and 404 NOT_FOUND for any other, as Vertex does for a removed model.

Recording: ``fake.requests`` lists every call (method, path, headers, json, token, action, model);
``fake.calls(":predictLongRunning")`` filters by action; ``fake.submissions`` and ``fake.polls`` are
shortcuts. ``fake.gcs_objects`` maps the ``gs://`` URIs of "gcs" outcomes to their bytes.
Set ``fake.gcs_writer = fn(uri, data)`` and a submission carrying ``storageUri`` (output_gcs_uri) gets its
video written through ``fn`` (e.g. into a GCS emulator) and answered as a ``gcsUri``, as Vertex does.
``decode_b64`` and ``inline_image`` read the base64 the SDK sent (it uses the URL-safe alphabet for
inline images). Pytest fixtures: tests.fakes.vertex_fixtures (fake_vertex, vertex_env, vertex_settings).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.media import tiny_mp4, tiny_png, truncated_mp4
from tests.fakes.vertex_wire import (
    VIDEO_RESPONSE_TYPE,
    b64,
    check_video_body,
    content_response,
    decode_b64,
    google_error,
    inline_image,
    scripted_failure,
)

__all__ = ["FakeVertex", "OperationScript", "RecordedRequest", "decode_b64", "google_error", "inline_image"]

VideoSource = bytes | Callable[[dict[str, Any]], bytes]
SERVED_VERSIONS = ("v1", "v1beta1")
GA_VEO_ON_V1_ONLY = ("veo-3.1-generate-001", "veo-3.1-fast-generate-001")
KNOWN_MODELS = ("veo-3.1-generate-001", "veo-3.1-fast-generate-001", "gemini-2.5-flash-image", "gemini-2.5-flash")
OUTCOMES = ("video", "gcs", "safety", "error", "empty", "corrupt", "novideo")


@dataclass
class RecordedRequest:
    """One call as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    json: Any
    token: str | None
    model: str
    action: str
    at: float = field(default_factory=time.monotonic)


@dataclass
class OperationScript:
    """How an operation behaves: how many polls until done, and how it ends."""

    polls_until_done: int = 1
    outcome: str = "video"
    video_bytes: VideoSource | None = None
    error_code: int = 3
    error_message: str = "The render failed on the server."
    safety_reasons: tuple[str, ...] = (
        "The video was filtered because it may violate the usage guidelines (support code 58061214).",
    )
    gcs_bucket: str = "fake-bucket"
    # Of the sampleCount videos asked for, how many the safety filter removes (raiMediaFilteredCount);
    # the rest come back. Filtering all of them is outcome "safety".
    filtered: int = 0

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {self.outcome!r}; use one of {OUTCOMES}")


@dataclass
class FakeOperation:
    name: str
    model: str
    body: dict[str, Any]
    script: OperationScript
    polls: int = 0


def default_video(body: dict[str, Any]) -> bytes:
    """A real MP4 as long as the submission asked for, shaped by its aspect ratio; each sample of a
    several-video request (body["sample"], 0-based) is a different file."""
    parameters = body.get("parameters") or {}
    duration = parameters.get("durationSeconds") or 8
    size = (180, 320) if parameters.get("aspectRatio") == "9:16" else (320, 180)
    return tiny_mp4(duration=duration, fps=12 + int(body.get("sample", 0)), size=size)


class FakeVertex:
    """The fake server: a uvicorn thread on 127.0.0.1 plus all scripted state and the request log."""

    def __init__(self, *, token: str | None = "fake-token", host: str = "127.0.0.1", port: int = 0) -> None:
        self.token = token
        self.host = host
        self.port = port
        self.default_text = "ok"
        self.requests: list[RecordedRequest] = []
        self.operations: dict[str, FakeOperation] = {}
        self.gcs_objects: dict[str, bytes] = {}
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._submit_script: deque[Any] = deque()
        self._poll_script: deque[Any] = deque()
        self._operation_scripts: deque[OperationScript] = deque()
        self._default_operation = OperationScript()
        self._content_scripts: dict[str, deque[Any]] = {}
        self._quota: tuple[int, float] | None = None
        self.accepted_at: list[float] = []
        self.quota_refusals = 0
        self._others_pending = 0
        self.gcs_writer: Callable[[str, bytes], None] | None = None
        self.known_models: set[str] = set(KNOWN_MODELS)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.app = Starlette(
            routes=[
                Route(
                    "/{version}/projects/{project}/locations/{location}/publishers/google/models/{target}",
                    self._dispatch,
                    methods=["POST", "GET"],
                ),
                # models.get on Vertex reads the publisher model without a project or location.
                Route("/{version}/publishers/google/models/{target}", self._dispatch, methods=["GET"]),
            ]
        )
        self.app.add_exception_handler(404, self._not_found)

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> FakeVertex:
        """Bind a port and serve from a daemon thread; returns once the server accepts connections."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("fake Vertex server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeVertex:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget scripts, operations and recorded requests (the server keeps running)."""
        with self._lock:
            self.requests.clear()
            self.operations.clear()
            self.gcs_objects.clear()
            self._submit_script.clear()
            self._poll_script.clear()
            self._operation_scripts.clear()
            self._default_operation = OperationScript()
            self._content_scripts.clear()
            self.default_text = "ok"
            self._quota = None
            self.accepted_at.clear()
            self.quota_refusals = 0
            self._others_pending = 0
            self.gcs_writer = None
            self.known_models = set(KNOWN_MODELS)

    # -- scripting ---------------------------------------------------------------------------

    def script_submit(self, answers: Iterable[int | str | dict[str, Any]]) -> None:
        with self._lock:
            self._submit_script.extend(answers)

    def script_poll(self, answers: Iterable[int | str | dict[str, Any]]) -> None:
        with self._lock:
            self._poll_script.extend(answers)

    def script_operation(self, **kwargs: Any) -> OperationScript:
        script = OperationScript(**_normalise(kwargs))
        with self._lock:
            self._operation_scripts.append(script)
        return script

    def default_operation(self, **kwargs: Any) -> OperationScript:
        script = OperationScript(**_normalise(kwargs))
        with self._lock:
            self._default_operation = script
        return script

    def set_quota(self, per_window: int, window: float = 60.0) -> None:
        with self._lock:
            self._quota = (per_window, window)

    def use_quota(self, n: int) -> None:
        with self._lock:
            self._others_pending += n

    def script_generate_content(self, model: str, answers: Iterable[Any]) -> None:
        with self._lock:
            self._content_scripts.setdefault(model, deque()).extend(answers)

    # -- recorded traffic --------------------------------------------------------------------

    def calls(self, action: str | None = None) -> list[RecordedRequest]:
        """Recorded requests, optionally only those for one action such as ":predictLongRunning"."""
        with self._lock:
            return [r for r in self.requests if action is None or r.action == action.lstrip(":")]

    @property
    def versions(self) -> dict[str, int]:
        """How many calls arrived on each API version (the first path segment)."""
        with self._lock:
            seen: dict[str, int] = {}
            for r in self.requests:
                version = r.path.lstrip("/").split("/", 1)[0]
                seen[version] = seen.get(version, 0) + 1
            return seen

    @property
    def submissions(self) -> list[RecordedRequest]:
        return self.calls("predictLongRunning")

    @property
    def polls(self) -> list[RecordedRequest]:
        return self.calls("fetchPredictOperation")

    # -- HTTP handling -----------------------------------------------------------------------

    async def _not_found(self, request: Request, exc: Exception) -> JSONResponse:
        return google_error(404, f"The requested URL {request.url.path} was not found on this server.")

    async def _dispatch(self, request: Request) -> JSONResponse:
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = None
        model, _, action = request.path_params["target"].partition(":")
        auth = request.headers.get("authorization", "")
        token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else None
        with self._lock:
            self.requests.append(
                RecordedRequest(request.method, request.url.path, dict(request.headers), body, token, model, action)
            )
        if self.token is not None and token != self.token:
            return google_error(401, "Request had invalid authentication credentials. Expected OAuth 2 access token.")
        if raw and body is None:
            return google_error(400, "Invalid JSON payload received.")
        version = request.path_params["version"]
        if version not in SERVED_VERSIONS:
            return google_error(404, f"The requested URL {request.url.path} was not found on this server.")
        if version == "v1beta1" and action == "predictLongRunning" and model in GA_VEO_ON_V1_ONLY:
            return google_error(400, "Request contains an invalid argument. reason: RESOURCE_PROJECT_INVALID "
                                "(google.cloud.aiplatform.v1beta1.PredictionService.PredictLongRunning)")
        if request.method == "GET" and not action:
            return self._model_metadata(request.path_params, model)
        handler = {
            "predictLongRunning": self._submit,
            "fetchPredictOperation": self._fetch,
            "generateContent": self._generate_content,
        }.get(action)
        if request.method != "POST" or handler is None:
            return google_error(404, f"Method {action or request.method} not found for models/{model}.")
        return await handler(request.path_params, model, body or {})

    def _model_metadata(self, params: dict[str, str], model: str) -> JSONResponse:
        with self._lock:
            known = model in self.known_models
        if not known:
            return google_error(404, f"Publisher Model `publishers/google/models/{model}` not found.")
        return JSONResponse({"name": f"publishers/google/models/{model}", "versionId": "001",
                             "launchStage": "GA", "openSourceCategory": "PROPRIETARY"})

    def _over_quota(self, arrived: float) -> bool:
        if self._quota is None:
            return False
        per_window, window = self._quota
        if self._others_pending:
            self.accepted_at.extend([arrived - 0.001] * self._others_pending)
            self._others_pending = 0
        return sum(1 for t in self.accepted_at if t > arrived - window) >= per_window

    async def _submit(self, params: dict[str, str], model: str, body: dict[str, Any]) -> JSONResponse:
        arrived = time.monotonic()
        with self._lock:
            answer = self._submit_script.popleft() if self._submit_script else "ok"
        failure = await scripted_failure(answer)
        if failure is not None:
            return failure
        invalid = check_video_body(model, body)
        if invalid is not None:
            return invalid
        with self._lock:
            if self._over_quota(arrived):
                self.quota_refusals += 1
                return google_error(429, "Quota exceeded for aiplatform.googleapis.com/"
                                    f"online_prediction_requests_per_base_model with base model: {model}. "
                                    "Please submit a quota increase request.")
            if self._quota is not None:
                self.accepted_at.append(arrived)
            script = self._operation_scripts.popleft() if self._operation_scripts else self._default_operation
            op_id = f"{next(self._ids):04d}-{int(time.time() * 1000)}"
            name = (
                f"projects/{params['project']}/locations/{params['location']}"
                f"/publishers/google/models/{model}/operations/{op_id}"
            )
            self.operations[name] = FakeOperation(name, model, body, script)
        return JSONResponse({"name": name})

    async def _fetch(self, params: dict[str, str], model: str, body: dict[str, Any]) -> JSONResponse:
        with self._lock:
            answer = self._poll_script.popleft() if self._poll_script else "ok"
        failure = await scripted_failure(answer)
        if failure is not None:
            return failure
        name = body.get("operationName", "")
        with self._lock:
            operation = self.operations.get(name)
            if operation is None or operation.model != model:
                return google_error(404, f"Operation {name!r} not found.")
            operation.polls += 1
            if operation.polls < operation.script.polls_until_done:
                return JSONResponse({"name": name})
        # Video bytes may be built on demand (PyAV); do it off the event loop.
        return JSONResponse(await asyncio.to_thread(self._finished, operation))

    def _finished(self, operation: FakeOperation) -> dict[str, Any]:
        script, name = operation.script, operation.name
        if script.outcome == "error":
            return {"name": name, "done": True, "error": {"code": script.error_code, "message": script.error_message}}
        response: dict[str, Any] = {"@type": VIDEO_RESPONSE_TYPE, "raiMediaFilteredCount": 0}
        if script.outcome == "safety":
            response["raiMediaFilteredCount"] = max(1, len(script.safety_reasons))
            response["raiMediaFilteredReasons"] = list(script.safety_reasons)
        elif script.outcome == "novideo":
            pass
        elif script.outcome == "empty":
            response["videos"] = [{"bytesBase64Encoded": "", "mimeType": "video/mp4"}]
        else:
            asked = int((operation.body.get("parameters") or {}).get("sampleCount") or 1)
            kept = max(0, asked - script.filtered)
            if script.filtered:
                response["raiMediaFilteredCount"] = min(asked, script.filtered)
                response["raiMediaFilteredReasons"] = list(script.safety_reasons)
            response["videos"] = [self._sample(operation, index) for index in range(kept)]
        return {"name": name, "done": True, "response": response}

    def _sample(self, operation: FakeOperation, index: int) -> dict[str, Any]:
        """One of the videos of a finished operation, inline or in a bucket as the request asked."""
        script, name = operation.script, operation.name
        data = self._video_for(operation, index)
        storage_uri = (operation.body.get("parameters") or {}).get("storageUri")
        if storage_uri and self.gcs_writer is not None:
            # As Vertex does with output_gcs_uri: the video goes into the caller's bucket, not the answer.
            uri = f"{storage_uri.rstrip('/')}/{name.rsplit('/', 1)[-1]}/sample_{index}.mp4"
            self.gcs_writer(uri, data)
            return {"gcsUri": uri, "mimeType": "video/mp4"}
        if script.outcome == "gcs":
            uri = f"gs://{script.gcs_bucket}/{name.rsplit('/', 1)[-1]}/sample_{index}.mp4"
            with self._lock:
                self.gcs_objects[uri] = data
            return {"gcsUri": uri, "mimeType": "video/mp4"}
        return {"bytesBase64Encoded": b64(data), "mimeType": "video/mp4"}

    def _video_for(self, operation: FakeOperation, index: int = 0) -> bytes:
        script = operation.script
        if script.outcome == "corrupt" and script.video_bytes is None:
            return truncated_mp4()
        source = script.video_bytes if script.video_bytes is not None else default_video
        return source({**operation.body, "sample": index}) if callable(source) else source

    async def _generate_content(self, params: dict[str, str], model: str, body: dict[str, Any]) -> JSONResponse:
        if not body.get("contents"):
            return google_error(400, "* GenerateContentRequest.contents: contents is not specified")
        with self._lock:
            queue = self._content_scripts.get(model) or self._content_scripts.get("*")
            answer = queue.popleft() if queue else None
        if answer is None:
            answer = {"image": tiny_png()} if "image" in model else {"text": self.default_text}
        if callable(answer):
            answer = answer(body)
        failure = await scripted_failure(answer)
        if failure is not None:
            return failure
        return JSONResponse(content_response(model, answer))


def _normalise(kwargs: dict[str, Any]) -> dict[str, Any]:
    if "safety_reasons" in kwargs:
        kwargs["safety_reasons"] = tuple(kwargs["safety_reasons"])
    return kwargs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--token", default="fake-token", help="Bearer token to require ('' = any)")
    parser.add_argument("--polls-until-done", type=int, default=3)
    parser.add_argument("--outcome", default="video", choices=OUTCOMES)
    args = parser.parse_args()
    fake = FakeVertex(token=args.token or None, host=args.host, port=args.port)
    fake.default_operation(polls_until_done=args.polls_until_done, outcome=args.outcome)
    print(f"fake Vertex AI on http://{args.host}:{args.port} (token {args.token or 'any'!r})", flush=True)
    uvicorn.run(fake.app, host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
