# The two commands of the README. Both set up a virtual environment first.
#   make demo   simulate the embedded default scenario and write an HTML report
#               (5,000 paths: smooth bands; about 20 s of CPU once numba's cache
#               is warm)
#   make test   run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.simkit-installed
DEMO ?= scenarios/mid_tier.toml

.PHONY: demo test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,all]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/simkit run $(DEMO) --paths 10k --target 2000 --out out/demo
	$(BIN)/simkit report $(DEMO) --paths 5k --target 2000 -o out/demo/report.html

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m pytest benchmarks --benchmark-only

# Numba's cache tracks only the file of the cached function: after editing a
# kernel module that another one calls, clear it.
clean:
	rm -rf out .benchmarks .pytest_cache
	find simkit -name '*.nbi' -delete -o -name '*.nbc' -delete
