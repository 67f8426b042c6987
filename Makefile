# communitysim: `make run` and `make test` set everything up on a fresh machine (a .venv here).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
OUT ?= out
# The first of python3.13, python3.12, python3 that is Python 3.12 or newer (Mesa 3.5 needs it).
PYTHON ?= $(shell for p in python3.13 python3.12 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; \
	then echo $$p; break; fi; done)

.PHONY: run lab app class test test-wheel test-load chromium install lint format bench docs baseline notebooks clean

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
		echo "communitysim needs Python 3.12 or newer (Mesa 3.5); python3.13, python3.12 and python3 are older or missing."; \
		echo "Install Python 3.12+ (with pyenv, the .python-version file here selects 3.12) or run: make PYTHON=/path/to/python3.12"; \
		exit 1; fi
	@if ! $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
		echo "communitysim needs Python 3.12 or newer (Mesa 3.5); $(PYTHON) is $$($(PYTHON) --version 2>&1)."; \
		exit 1; fi
	@if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
		echo "$(VENV) holds Python older than 3.12: removing it"; rm -rf $(VENV); fi
	@echo "Setting up $(VENV) with $$($(PYTHON) --version)"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@echo "Compiling the model's loops once (numba, cached on disk: a learner's first run then waits 0.5 s, not 2.5 s)"
	$(PY) -c "import communitysim as cs; cs.run('scenarios/bakery_launch.yaml', seed=1, overrides={'audience.size': 300, 'days': 30})" >/dev/null
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/communitysim run scenarios/bakery_launch.yaml --seed 7 --out $(OUT)

# JupyterLab and Voila listen on 127.0.0.1 only (`communitysim lab` adds --allow-root when run as root)
# JupyterLab in the language of COMMUNITYSIM_LANG or the locale (its menus too), on that language's welcome notebook
lab: $(STAMP)
	$(VENV)/bin/communitysim lab notebooks --no-browser

app: $(STAMP)
	$(VENV)/bin/communitysim app notebooks --no-browser

# The classroom served to the students' laptops (opt in to the network with: make class CLASS_IP=0.0.0.0)
CLASS_IP ?= 127.0.0.1
class: $(STAMP)
	$(VENV)/bin/communitysim class --ip $(CLASS_IP)

notebooks: $(STAMP)
	$(PY) tools/make_notebooks.py --all
	client="$$($(PY) -c 'from communitysim.ui.launch import KERNEL_CLIENT_OPTION; print(KERNEL_CLIENT_OPTION)')" && \
	cd notebooks && for nb in 0*.ipynb; do $(CURDIR)/$(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace "$$client" $$nb; done

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests tools conftest.py $(wildcard benchmarks)
	$(VENV)/bin/ruff format --check src tests tools conftest.py $(wildcard benchmarks)

format: $(STAMP)
	$(VENV)/bin/ruff format src tests tools conftest.py $(wildcard benchmarks)
	$(VENV)/bin/ruff check --fix src tests tools conftest.py $(wildcard benchmarks)

# Debian's chromium for the real-browser tests (Playwright drives it; no browser download)
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
		else echo "The browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; fi; }

test: lint chromium
	$(VENV)/bin/pytest -n 2 src tests --ignore=tests/e2e
	$(VENV)/bin/pytest --nbval-lax -p no:xdist -o addopts="" -q notebooks
	env -u MPLBACKEND $(VENV)/bin/pytest -p no:xdist -o addopts="" -q tests/e2e
	$(MAKE) test-wheel

# The wheel and sdist built, the wheel installed into a fresh venv outside the checkout and used from there
test-wheel: $(STAMP)
	$(PY) tools/check_wheel.py

# The 30-team classroom load test alone, its figures printed (also part of tests/e2e in make test)
test-load: $(STAMP) chromium
	env -u MPLBACKEND $(VENV)/bin/pytest -p no:xdist -o addopts="" -q -s tests/e2e/test_class_load_e2e.py

bench: $(STAMP)
	$(PY) benchmarks/bench_growth.py --reference-steps 365
	$(PY) benchmarks/bench_engagement.py
	$(PY) benchmarks/bench_scenarios.py
	$(PY) benchmarks/bench_crisis.py
	$(PY) benchmarks/bench_ui.py
	$(PY) benchmarks/bench_sweep.py
	$(PY) benchmarks/bench_calibration.py
	$(PY) benchmarks/bench_backtest.py

docs: $(STAMP)
	$(PY) tools/update_parameter_table.py
	$(PY) tools/update_step_order.py

baseline: $(STAMP)
	$(PY) tools/update_baseline.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache test-artifacts
