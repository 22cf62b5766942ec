# Two entry points for people: `make demo` and `make test`. Everything else is plumbing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean system-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

## demo: crawl the bundled offline snapshot, store, draft, preview the digest
demo: $(STAMP)
	$(BIN)/monitor demo

## system-deps: Debian's chromium for the browser tests (skipped when present)
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

## test: install everything the tests need, lint, then run pytest
test: $(STAMP) system-deps
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

## bench: every benchmark, each printing its ratio against a baseline measured in the same run
bench: $(STAMP)
	$(BIN)/python bench/relevance.py
	$(BIN)/python bench/cluster_quality.py
	$(BIN)/python bench/dedupe.py
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/crawl.py --busy
	$(BIN)/python bench/crawl.py --idle
	$(BIN)/python bench/review_page.py
	$(BIN)/python bench/freshness.py --interval 30

clean:
	rm -rf $(VENV) var .pytest_cache
