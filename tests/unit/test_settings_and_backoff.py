"""Settings from RUSHES_* variables, and the worker's backoff schedule."""

import random

import pytest
from pydantic import ValidationError

from rushes.jobs.queue import backoff_seconds
from rushes.settings import Settings


def test_settings_read_rushes_variables(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUSHES_DATABASE_URL", "postgresql+psycopg://db/rushes")
    monkeypatch.setenv("RUSHES_VIDEO_PROVIDER", "veo")
    monkeypatch.setenv("RUSHES_VIDEO_PRICES", '{"veo-x": {"audio": 50, "silent": 30}}')
    monkeypatch.setenv("RUSHES_JOB_LEASE_SECONDS", "12.5")
    s = Settings()
    assert s.database_url.startswith("postgresql")
    assert s.video_model == s.veo_model
    assert s.video_prices == {"veo-x": {"audio": 50, "silent": 30}}
    assert s.job_lease_seconds == 12.5


def test_settings_read_a_dotenv_file(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("RUSHES_ATTRIBUTION=gemini\nRUSHES_MOCK_FAIL_429=0.25\n")
    s = Settings()
    assert s.attribution == "gemini" and s.mock_fail_429 == 0.25


@pytest.mark.parametrize("name, value", [("RUSHES_VIDEO_PROVIDER", "sora"), ("RUSHES_MOCK_FAIL_SAFETY", "1.5")])
def test_bad_settings_are_refused(monkeypatch, tmp_path, name, value):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    rng = random.Random(3)
    for attempt in range(1, 12):
        ceiling = min(60.0, 2.0 * 2 ** (attempt - 1))
        for _ in range(50):
            delay = backoff_seconds(attempt, 2.0, 60.0, rng)
            assert min(1.0, ceiling) <= delay <= ceiling
    samples = {round(backoff_seconds(4, 2.0, 60.0, rng), 3) for _ in range(20)}
    assert len(samples) > 10  # jitter spreads retries out
