# Kembar: two set-up commands. `make run` runs the bot (or the sandbox without a token);
# `make test` runs the whole test suite. Each creates/updates the local virtualenv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-unit test-integration test-e2e lint bench reliability clean

# Set-up output goes to stderr: `make bench` prints exactly one JSON object on stdout.
$(BIN)/python:
	@echo "creating $(VENV)" >&2
	@$(PYTHON) -m venv $(VENV) >&2

$(STAMP): pyproject.toml | $(BIN)/python
	@echo "installing Kembar and its dependencies into $(VENV)" >&2
	@$(BIN)/python -m pip install --quiet --upgrade pip >&2
	@$(BIN)/python -m pip install --quiet -e '.[dev]' >&2
	@touch $(STAMP)

run: $(STAMP)
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then $(BIN)/kembar run; else $(BIN)/kembar sandbox; fi

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
