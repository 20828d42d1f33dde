"""No bad input reaches a 500: schemathesis over the whole OpenAPI, seeded and bounded (tests/integration/fuzz.py)."""

from __future__ import annotations

from tests.integration.fuzz import fuzz_target, run_fuzz


def test_every_operation_answers_generated_input_with_a_documented_non_5xx_response(tmp_path):
    rushes, app = fuzz_target(tmp_path)
    try:
        report = run_fuzz(app, examples=20, budget_seconds=150.0)
    finally:
        rushes.db.dispose()
    assert report.operations >= 40 and report.requests >= report.operations * 20
    assert report.server_errors == 0, report.statuses
    assert not report.failures, "\n\n".join(report.failures[:8])
