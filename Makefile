# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DB     ?= data/bank.db
# One more worker than this 2-core machine's cores: a third of the suite's time is spent
# waiting on disk flushes and subprocesses (15m36 with 2, 14m47 with 3 at commit 455757c).
PYTEST_WORKERS ?= 3

.PHONY: setup run demo test test-fast lint bench soak serve clean

setup: $(STAMP)

# The virtual environment is rebuilt when the project or the pinned versions change.
$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "bankapp needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

$(DB): | $(STAMP)
	$(BIN)/bankapp --db sqlite:///$(DB) demo

run: $(STAMP) $(DB)
	$(BIN)/bankapp --db sqlite:///$(DB)

demo: $(STAMP)
	$(BIN)/bankapp --db sqlite:///$(DB) demo --force

test: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check bankapp screens tests
	$(BIN)/ruff format --check bankapp screens tests
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m bankapp.bench

# e.g. make soak SOAK_ARGS="--kills 50 --pg-crashes 3 --seconds 3" for a short run
soak: $(STAMP)
	$(BIN)/python -m tests.soak $(SOAK_ARGS)

serve: $(STAMP) $(DB)
	$(BIN)/bankapp --db sqlite:///$(DB) serve

clean:
	rm -rf $(VENV) build *.egg-info
