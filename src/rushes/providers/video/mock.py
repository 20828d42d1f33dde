"""Local stand-in for Veo: operations persisted on disk, real MP4 renders, injectable faults."""

from __future__ import annotations

import json
import os
import random
import re
import tempfile
import uuid
from pathlib import Path
from typing import Any

from rushes.clock import Clock, SystemClock
from rushes.media.mockclip import ClipSketch, render_mock_clip
from rushes.media.mockfaults import Fault, FaultSpec, parse_fault_spec
from rushes.media.mocksound import sound_cue
from rushes.media.probe import InvalidImage, probe_image
from rushes.providers.errors import OperationNotFound, PermanentProviderError, TransientProviderError
from rushes.providers.video.base import OperationStatus, VideoRequest

OPERATION_PREFIX = "mock-operations/"
_OPERATION_RE = re.compile(r"^mock-operations/([0-9a-f]{32})$")
# Output size per (resolution, aspect ratio), as Veo delivers them.
FRAME_SIZES: dict[tuple[str, str], tuple[int, int]] = {
    ("720p", "16:9"): (1280, 720),
    ("720p", "9:16"): (720, 1280),
    ("1080p", "16:9"): (1920, 1080),
    ("1080p", "9:16"): (1080, 1920),
}
MIN_SECONDS, MAX_SECONDS = 1, 8
SAFETY_REASON = (
    "Veo could not generate videos because the input image or prompt violates Vertex AI's usage "
    "guidelines (rai_media_filtered_count=1). Support codes: 58061214"
)


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class MockVideoProvider:
    """Renders locally; every operation lives in `state_dir` so any process can poll it."""

    name = "mock"

    def __init__(
        self,
        state_dir: Path,
        latency_seconds: float = 2.0,
        fail_429: float = 0,
        fail_safety: float = 0,
        fail_corrupt: float = 0,
        seed: int | None = None,
        faults: FaultSpec | str | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.state_dir = Path(state_dir)
        self.clock = clock or SystemClock()  # a test moves a FakeClock past the latency instead of waiting
        self.latency_seconds = max(0.0, latency_seconds)
        self.fail_429 = fail_429
        self.fail_safety = fail_safety
        self.fail_corrupt = fail_corrupt
        self.seed = seed
        self._rng = random.Random(seed)
        self.faults = faults if isinstance(faults, FaultSpec) else parse_fault_spec(faults)

    @classmethod
    def from_settings(cls, settings: Any, clock: Clock | None = None) -> MockVideoProvider:
        return cls(
            state_dir=Path(settings.media_dir) / "mock-operations",
            latency_seconds=settings.mock_latency_seconds,
            fail_429=settings.mock_fail_429,
            fail_safety=settings.mock_fail_safety,
            fail_corrupt=settings.mock_fail_corrupt,
            seed=settings.mock_seed,
            faults=settings.mock_faults,
            clock=clock,
        )

    # -- submissions -----------------------------------------------------------------

    @property
    def submissions_log(self) -> Path:
        return self.state_dir / "submissions.log"

    def submissions(self) -> list[dict[str, Any]]:
        """Every accepted submission so far (one JSON line each), across all processes."""
        if not self.submissions_log.exists():
            return []
        lines = self.submissions_log.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def _log_submission(self, entry: dict[str, Any]) -> None:
        # O_APPEND writes of one short line are atomic enough for concurrent workers.
        line = json.dumps(entry, sort_keys=True) + "\n"
        fd = os.open(self.submissions_log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)

    def _check(self, request: VideoRequest) -> tuple[int, int]:
        if not MIN_SECONDS <= request.duration_seconds <= MAX_SECONDS:
            raise PermanentProviderError(
                f"duration {request.duration_seconds} s is not supported (allowed {MIN_SECONDS}..{MAX_SECONDS} s)",
                kind="invalid",
            )
        size = FRAME_SIZES.get((request.resolution, request.aspect_ratio))
        if size is None:
            raise PermanentProviderError(
                f"unsupported output {request.resolution} {request.aspect_ratio}", kind="invalid"
            )
        for label, data in (("start frame", request.start_frame), ("end frame", request.end_frame)):
            if data is None:
                continue
            try:
                probe_image(data)
            except InvalidImage as exc:
                raise PermanentProviderError(f"{label}: {exc.reason}", kind="invalid") from exc
        return size

    def _outcome(self) -> str:
        if self._rng.random() < self.fail_safety:
            return "safety"
        if self._rng.random() < self.fail_corrupt:
            return "corrupt"
        return "ok"

    def submit(self, request: VideoRequest) -> str:
        """Accept a render and persist it; may raise a simulated 429 before accepting."""
        width, height = self._check(request)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        if self._rng.random() < self.fail_429:
            raise TransientProviderError(
                "429 RESOURCE_EXHAUSTED: Quota exceeded for aiplatform.googleapis.com/"
                "online_prediction_requests_per_base_model (mock)",
                retry_after=1.0, quota=True, server_retry_after=1.0,
            )
        # Outcome is fixed at submit so every process polling the operation sees the same result.
        count = max(1, int(request.sample_count))
        if not 1 <= count <= 4:
            raise PermanentProviderError(f"1 to 4 videos per request, not {count}", kind="invalid")
        outcomes = [self._outcome() for _ in range(count)]
        # One render's outcome: the safety filter removes every video only when it removes each one.
        outcome = "safety" if all(o == "safety" for o in outcomes) else next(o for o in outcomes if o != "safety")
        op_id = uuid.uuid4().hex
        op_dir = self.state_dir / op_id
        op_dir.mkdir()
        (op_dir / "start.img").write_bytes(request.start_frame)
        if request.end_frame is not None:
            (op_dir / "end.img").write_bytes(request.end_frame)
        render_seed = request.seed if request.seed is not None else self._rng.randrange(2**31)
        record = {
            "operation": OPERATION_PREFIX + op_id,
            "submitted_at": self.clock.now(),
            "latency_seconds": self.latency_seconds,
            "outcome": outcome,
            "corrupt_mode": self._rng.choice(["truncated", "garbage"]),
            "prompt": request.prompt,
            "shot_code": request.shot_code,
            "duration_seconds": request.duration_seconds,
            "width": width,
            "height": height,
            "generate_audio": request.generate_audio,
            "has_end_frame": request.end_frame is not None,
            "seed": render_seed,
            "model": request.model,
            "dialogue": [[d.speaker, d.line] for d in request.dialogue],
            # Planted faults are fixed at submit too, parameters resolved, so every poller renders the same clip.
            "faults": [{"kind": f.kind, "params": f.params}
                       for f in self.faults.pick(request.shot_code, request.duration_seconds, self._rng)],
        }
        if count > 1:
            # Variants: each its own seed (so genuinely different pictures), outcome and planted faults.
            record["variants"] = [
                {"seed": render_seed + 7919 * i, "outcome": outcomes[i],
                 "faults": record["faults"] if i == 0 else [
                     {"kind": f.kind, "params": f.params}
                     for f in self.faults.pick(request.shot_code, request.duration_seconds, self._rng, i + 1)]}
                for i in range(count)]

        # request.json appears last and atomically: its presence means the operation exists.
        _write_atomic(op_dir / "request.json", json.dumps(record, indent=1).encode("utf-8"))
        self._log_submission(
            {"operation": record["operation"], "shot_code": request.shot_code, "at": record["submitted_at"]}
        )
        return str(record["operation"])

    # -- polling ---------------------------------------------------------------------

    def _op_dir(self, operation_name: str) -> Path:
        match = _OPERATION_RE.fullmatch(operation_name) if isinstance(operation_name, str) else None
        if match is None:
            raise OperationNotFound(f"operation {operation_name!r} not found")
        op_dir = self.state_dir / match.group(1)
        if not (op_dir / "request.json").is_file():
            raise OperationNotFound(f"operation {operation_name!r} not found")
        return op_dir

    def poll(self, operation_name: str) -> OperationStatus:
        """Running until the latency has passed since submit, then done with the clip bytes."""
        op_dir = self._op_dir(operation_name)
        record = json.loads((op_dir / "request.json").read_text(encoding="utf-8"))
        elapsed = self.clock.now() - float(record["submitted_at"])
        latency = float(record["latency_seconds"])
        if elapsed < latency:
            return OperationStatus(done=False, progress=round(max(0.0, elapsed) / latency, 3))
        if record["outcome"] == "safety":
            from rushes.providers.video.safety import plain_reason

            # Worded as the Veo adapter words a real refusal, so the demo shows what a filmmaker will see.
            raise PermanentProviderError(plain_reason([SAFETY_REASON]), kind="safety")
        if "variants" in record:
            return self._poll_variants(op_dir, record)
        result = op_dir / "result.mp4"
        if not result.is_file():
            # Two pollers may race here; both write identical bytes atomically.
            _write_atomic(result, self._render(op_dir, record))
        return OperationStatus(done=True, video=result.read_bytes(), progress=1.0)

    def _poll_variants(self, op_dir: Path, record: dict[str, Any]) -> OperationStatus:
        """A several-video render: the kept variants in order, the filtered ones only counted (as Veo does)."""
        videos = []
        for index, variant in enumerate(record["variants"]):
            if variant["outcome"] == "safety":
                continue
            result = op_dir / f"result-{index + 1}.mp4"
            if not result.is_file():
                one = {**record, "seed": variant["seed"], "faults": variant["faults"], "outcome": variant["outcome"]}
                _write_atomic(result, self._render(op_dir, one))
            videos.append(result.read_bytes())
        filtered = sum(1 for v in record["variants"] if v["outcome"] == "safety")
        return OperationStatus(done=True, video=videos[0], progress=1.0, videos=tuple(videos), filtered=filtered,
                               filtered_reasons=(SAFETY_REASON,) if filtered else ())

    def _render(self, op_dir: Path, record: dict[str, Any]) -> bytes:
        end_path = op_dir / "end.img"
        sketch = ClipSketch(
            start_frame=(op_dir / "start.img").read_bytes(),
            end_frame=end_path.read_bytes() if end_path.is_file() else None,
            duration_seconds=float(record["duration_seconds"]),
            shot_code=record["shot_code"],
            dialogue=tuple((speaker, line) for speaker, line in record["dialogue"]),
            width=int(record["width"]),
            height=int(record["height"]),
            audio=bool(record["generate_audio"]),
            seed=int(record["seed"]),
            sfx=sound_cue(record["prompt"]),
            faults=tuple(Fault(f["kind"], f["params"]) for f in record.get("faults", [])),
        )
        clip = render_mock_clip(sketch)
        if record["outcome"] != "corrupt":
            return clip
        if record["corrupt_mode"] == "truncated":
            # The index at the front still describes the whole clip; only the data is cut.
            return clip[: len(clip) * 2 // 5]
        return random.Random(record["seed"]).randbytes(min(len(clip), 64 * 1024))
