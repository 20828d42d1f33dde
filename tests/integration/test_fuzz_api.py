"""No bad input reaches a 500: schemathesis over the whole OpenAPI, seeded and bounded (tests/integration/fuzz.py)."""

from __future__ import annotations

from tests.integration.fuzz import fuzz_target, run_fuzz


def test_every_operation_answers_generated_input_with_a_documented_non_5xx_response(tmp_path):
    rushes, app = fuzz_target(tmp_path)
    try:
        # No time budget: how long a busy machine takes must never decide the result; 10 cases per operation and
        # mode keep the run short now that there are ~90 operations.
        report = run_fuzz(app, examples=10)
    finally:
        rushes.db.dispose()
    assert report.operations >= 40 and report.requests >= report.operations * 10
    assert report.server_errors == 0, report.statuses
    assert not report.failures, "\n\n".join(report.failures[:8])
