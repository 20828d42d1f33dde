# Two commands: `make run` (the app on its embedded defaults) and `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
# Two pytest workers (the machines have two cores); tests/conftest.py keeps heavy fixtures on one.
TEST_WORKERS ?= 2

.PHONY: run lint test bench chromium clean

run: $(STAMP)
	$(BIN)/rushes serve

# Lint and type check first: a finding fails the suite before a single test runs.
lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

PYTEST_ARGS ?= --durations=25

test: $(STAMP) chromium lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

bench: $(STAMP) chromium
	$(BIN)/python bench/bench_mock_render.py
	$(BIN)/python bench/bench_worker.py
	$(BIN)/python bench/bench_player.py
	$(BIN)/python bench/bench_notifications.py
	$(BIN)/python bench/bench_attribution.py
	$(BIN)/python bench/bench_attribution_choices.py
	$(BIN)/python bench/bench_scale.py
	$(BIN)/python bench/bench_streams.py
	$(BIN)/python bench/bench_integrity.py
	$(BIN)/python bench/bench_qc.py
	$(BIN)/python bench/bench_quota.py

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

# Browser tests drive Debian's Chromium (Playwright cannot download its own browsers here).
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	fi

clean:
	rm -rf $(VENV) rushes-data .pytest_cache .mypy_cache .ruff_cache
