# The commands a person needs: `make demo` runs the bot, `make test` proves it.
VENV ?= .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: install demo serve test lint bench services clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,postgres]'
	touch $@

demo: install
	$(VENV)/bin/sopbot demo

serve: install
	$(VENV)/bin/sopbot serve

# System services the suite needs (PostgreSQL server, Chromium), installed when missing.
services:
	bash tests/services/ensure.sh

# -n 3 on two cores: about a third of the suite waits on subprocesses, Chromium and
# servers, so a third worker fills the idle CPU (2026-12-07: 588 s with two, 460 s with
# three). worksteal: each worker starts on its share of the files in order (module
# fixtures are shared as with loadfile) and an idle one takes tests from another, so a
# long file at the end (the lifecycle state machine, the replica tests) is no tail.
# compileall: byte-code written once, so every `sopbot` the suite starts (the CLI, serve,
# each replica) and each worker loads it instead of compiling the sources again (~0.5 s
# of CPU each), also where PYTHONDONTWRITEBYTECODE keeps Python from writing it.
test: install services
	$(PY) -m compileall -q core bot adapters workflows storage
	SOPBOT_TEST_PG_URL=$$(bash tests/services/postgres.sh url) \
	  $(PY) -m pytest -q -n 3 --dist worksteal

lint: install
	$(VENV)/bin/ruff check core bot adapters workflows storage tests bench
	$(VENV)/bin/ruff format --check core bot adapters workflows storage tests bench

bench: install services
	SOPBOT_TEST_PG_URL=$$(bash tests/services/postgres.sh url) $(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
