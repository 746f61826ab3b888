# The targets the README uses. `make demo` and `make test` install everything first.
VENV ?= .venv
PY := $(VENV)/bin/python
GROUNDSWELL := $(VENV)/bin/groundswell
PYTHON ?= python3

.PHONY: install demo test test-fast lint format browser redis train-sentiment train-student bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first, pinned: pip takes the local CPU build (a plain `torch` pulls a CUDA build)
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

demo: install
	$(GROUNDSWELL) demo --db demo.db

test: install browser redis
	$(PY) -m pytest -q

test-fast: install
	$(PY) -m pytest -q -m "not browser and not slow"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

browser:
	bash scripts/install-browser.sh

redis:
	bash scripts/install-redis.sh

train-sentiment: install
	$(PY) -m training.train_sentiment

# after train-sentiment: the 4-layer student is distilled from the sentiment model's joint graph
train-student: install
	$(PY) -m training.train_student

bench: install
	for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info tests/artifacts
