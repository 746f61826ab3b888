# The targets the README uses. `make demo` and `make test` install everything first.
VENV ?= .venv
PY := $(VENV)/bin/python
GROUNDSWELL := $(VENV)/bin/groundswell
PYTHON ?= python3

.PHONY: install demo test test-fast lint format browser redis train-sentiment train-sentiment-full \
	train-teacher train-student train-intent restaurant-taxonomy bench clean

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
	$(PY) -m pytest -q --durations=15

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

# the served student's sentiment head refitted on reviews, forum posts and tweets, and on
# people's corrections with CORRECTIONS=path/to/groundswell.db (training/tune_head.py, ~15 min)
train-sentiment: install
	$(PY) -m training.tune_head $(if $(CORRECTIONS),--corrections $(CORRECTIONS))

# the student's top two layers fine-tuned on the same data (training/tune_student.py: ~21 min on
# 2 CPU cores; the shipped minilm4-student-3 came from it, started from minilm4-student-2;
# run again, it trains the shipped student further)
train-sentiment-full: install
	$(PY) -m training.tune_student $(if $(CORRECTIONS),--corrections $(CORRECTIONS))

# how that student began: a LoRA sentiment model on tweets (the teacher), then the student
# distilled from its joint graph; train-sentiment carries on from the student
train-teacher: install
	$(PY) -m training.train_sentiment

train-student: install
	$(PY) -m training.train_student

# the intent head on the shared pass (training/train_intent.py, ~15 min; needs ../shared)
train-intent: install
	$(PY) -m training.train_intent

# bench/restaurant_topics.toml: the restaurant taxonomy with its few-shot examples
restaurant-taxonomy: install
	$(PY) -m training.restaurant_examples

bench: install
	for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info tests/artifacts
