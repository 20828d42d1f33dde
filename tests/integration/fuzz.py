"""Schemathesis over the app's own OpenAPI, in process (ASGI), bounded and seeded: shared by the
fuzz test and bench/bench_integrity.py.

Both generation modes run for every operation: positive cases (inputs the schema allows must
get a documented answer) and negative ones (inputs it forbids must be refused with a 4xx). The
checks: no 5xx, every status code and content type documented, every body matching its model.
Failures are collected, not raised, so one bad operation does not hide the others and Hypothesis
does not spend the time budget shrinking.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import checks
from schemathesis.generation import GenerationMode

from rushes.bootstrap import bootstrap
from rushes.services.demo import create_demo
from rushes.settings import Settings
from tests.integration.conftest import TEST_ALLOWED_HOSTS

CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance]
# The event stream never ends by design (tests/integration/test_hostile_input.py covers its inputs).
SKIPPED = {("GET", "/api/events"), ("GET", "/api/rooms/{room_id}/events"),  # (test_review_rooms.py: the room's)
           # Generated small ids name the fuzzer's own token and membership: revoking or demoting them would
           # sign the fuzzer out of every later operation. test_members.py covers these routes' refusals.
           ("DELETE", "/api/me/tokens/{my_token_id}"), ("PATCH", "/api/studios/{studio_id}/members/{member_id}"),
           ("DELETE", "/api/studios/{studio_id}/members/{member_id}")}


@dataclass
class FuzzReport:
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    operations: int = 0
    seconds: float = 0.0

    @property
    def server_errors(self) -> int:
        return sum(n for code, n in self.statuses.items() if code >= 500)


def fuzz_target(root: Path):
    """The real app on SQLite with the demo project, so small generated ids name real scenes and shots."""
    from rushes.web.app import create_app

    rushes = bootstrap(Settings(_env_file=None, database_url=f"sqlite:///{root / 'fuzz.db'}", media_dir=root / "media",
                             load_demo=False, mock_latency_seconds=0.0, allowed_hosts=TEST_ALLOWED_HOSTS))
    rushes.upgrade_schema()
    create_demo(rushes)
    # The local attribution model trains on first use; train it now, not inside a request's time.
    from rushes.providers.attribution.base import AttributionRequest

    rushes.attributor.attribute(AttributionRequest(description="the lamp flickers", category=None, shot=None,
                                                   neighbours=(), scene_elements=()))
    app = create_app(rushes, load_demo=False)
    # Every route checks access: the fuzzer calls as the demo studio's owner (bearer, so no CSRF).
    from tests.integration.conftest import add_test_member

    app.state.fuzz_headers = {"Authorization": f"Bearer {add_test_member(rushes, 'owner').api_token}"}
    return rushes, app


def run_fuzz(app, examples: int = 20, budget_seconds: float | None = None) -> FuzzReport:
    """Every operation, both modes, `examples` cases each, derandomised (a fixed seed); a budget (benches only)
    stops early and says where."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    report = FuzzReport()
    started = time.monotonic()
    operations = [r.ok() for r in schema.get_all_operations()]
    for operation in operations:
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        report.operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if budget_seconds is not None and time.monotonic() - started > budget_seconds:
                report.failures.append(f"time budget of {budget_seconds:.0f} s ran out at {operation.label} ({mode})")
                report.seconds = time.monotonic() - started
                return report
            _fuzz_operation(operation, mode, examples, report, getattr(app.state, "fuzz_headers", {}))
    report.seconds = time.monotonic() - started
    return report


def _fuzz_operation(operation, mode, examples: int, report: FuzzReport, headers: dict[str, str]) -> None:
    seen: set[str] = set()

    @settings(max_examples=examples, deadline=None, database=None, derandomize=True, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        try:
            response = case.call(timeout=60, headers=headers)
        except Exception as err:  # a transport error (timeout) is a finding too, not a crash of the run
            report.failures.append(f"{operation.label} [{mode}] no response: {type(err).__name__}: {str(err)[:300]}")
            return
        report.requests += 1
        report.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as failure:  # schemathesis raises a group of failed checks
            text = f"{operation.label} [{mode}] {type(failure).__name__}: {str(failure)[:600]}"
            key = text[:160]
            if key not in seen:
                seen.add(key)
                report.failures.append(text)

    try:
        run()
    except Unsatisfiable:
        pass  # negative mode of an operation with no inputs: nothing can be made invalid
