# Field Dossier. `make run` serves the app with demo data; `make test` runs every test.
# Both install what they need into .venv from the pinned requirements.lock first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
PYTEST_ARGS ?= -n auto

.PHONY: install run test lock

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

run: install
	$(BIN)/dossier migrate
	$(BIN)/dossier demo --if-empty
	$(BIN)/dossier serve

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

# Re-pin every dependency after changing pyproject.toml.
lock: install
	$(BIN)/uv pip compile pyproject.toml --extra test --python-version 3.11 -o requirements.lock
