"""Secrets stay out of logs, banners and errors: URLs' passwords, tokens and keys are masked."""

from __future__ import annotations

import logging

import pytest

from rushes.redact import install_log_redaction, redact, register_secret

URL = "postgresql+psycopg://postgres:s3cret-pw@db.internal:5432/rushes"


@pytest.mark.parametrize("text, secret, shown", [
    (URL, "s3cret-pw", "postgresql+psycopg://postgres:***@db.internal:5432/rushes"),
    ("Authorization: Bearer ya29.a0AfB_byC-token", "ya29.a0AfB_byC-token", "Authorization: Bearer ***"),
    ("GET /x?key=AIzaSyD-abcdefghijklmnopqrstuvwxyz012345 failed", "AIzaSyD-abcdefghij", "GET /x?key=*** failed"),
    ("vertex_token=tok_123456 retry", "tok_123456", "vertex_token=*** retry"),
    ('{"api_key": "k-987654321"}', "k-987654321", '{"api_key": "***"}'),
    ("password: hunter22", "hunter22", "password: ***"),
])
def test_redact_masks_secrets_and_keeps_the_rest(text, secret, shown):
    masked = redact(text)
    assert secret not in masked
    assert masked == shown


def test_plain_text_is_left_alone():
    text = "take 3 of scene 2: 1A rendering, 300 credits; see https://example.com/docs?page=2"
    assert redact(text) == text


def test_every_log_line_and_traceback_is_masked(caplog):
    install_log_redaction()
    install_log_redaction()  # idempotent
    register_secret("static-vertex-token-42")
    log = logging.getLogger("rushes.test.redaction")
    with caplog.at_level(logging.INFO, logger="rushes.test.redaction"):
        log.info("connecting to %s with %s", URL, "static-vertex-token-42")
        log.warning("uvicorn-style args %s %d", "GET /api?token=abcdef123", 200)
        try:
            raise RuntimeError(f"could not connect: {URL}")
        except RuntimeError:
            log.exception("database down")
    text = caplog.text
    assert "s3cret-pw" not in text and "static-vertex-token-42" not in text and "abcdef123" not in text
    assert "postgres:***@db.internal" in text and "200" in text
    assert "could not connect: postgresql+psycopg://postgres:***@" in text  # the traceback too


def test_cli_banner_masks_the_database_password():
    from rushes.cli import database_banner

    assert database_banner(URL) == "postgresql+psycopg://postgres:***@db.internal:5432/rushes"
