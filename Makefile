# Kembar: two set-up commands. `make run` runs the bot (or the sandbox without a token);
# `make test` runs the whole test suite. Each creates/updates the local virtualenv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# `make run` needs the runtime dependencies only; the tests, linters and benchmarks add the development tools.
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed
# Arguments for `make run`, e.g. `make run ARGS=--local-translator` (the sandbox without internet).
ARGS ?=
# setuptools says "Editable installation … be careful with folders named like your package" on every editable
# install; the checkout is laid out for it, so the notice is only noise.
PIP := PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip

.PHONY: run test test-unit test-integration test-e2e lint bench reliability clean

# Set-up output goes to stderr: `make bench` prints exactly one JSON object on stdout.
$(BIN)/python:
	@echo "creating $(VENV)" >&2
	@$(PYTHON) -m venv $(VENV) >&2

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	@echo "installing Kembar and its runtime dependencies into $(VENV)" >&2
	@$(PIP) install --quiet --upgrade pip >&2
	@$(PIP) install --quiet -e . >&2
	@touch $(RUN_STAMP)

$(STAMP): pyproject.toml | $(BIN)/python
	@echo "installing Kembar, its dependencies and the development tools into $(VENV)" >&2
	@$(PIP) install --quiet --upgrade pip >&2
	@$(PIP) install --quiet -e '.[dev]' >&2
	@touch $(STAMP) $(RUN_STAMP)

run: $(RUN_STAMP)
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then $(BIN)/kembar run; else $(BIN)/kembar sandbox $(ARGS); fi

test: $(STAMP)
	$(BIN)/python -m pytest

# The tiers on their own (`make test` runs all three): services against repositories in memory and the
# pure modules (no database, no network); storage on SQLite and PostgreSQL and the emulator over loopback;
# real kembar processes.
test-unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

test-integration: $(STAMP)
	$(BIN)/python -m pytest tests/integration

test-e2e: $(STAMP)
	$(BIN)/python -m pytest tests/e2e

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(STAMP)
	@$(BIN)/python -m bench

# The fault and abuse suite: one JSON object on stdout (its checks also run, smaller, in `make test`).
reliability: $(STAMP)
	@$(BIN)/python -m tests.e2e.reliability

clean:
	rm -rf $(VENV) build *.egg-info
