# The two commands of the README's quick start, and what they need. Each target installs what
# it uses into ./venv (the virtualenv Pulumi.yaml names), so a fresh clone needs only Python 3.11.
PYTHON ?= python3
VENV := venv
STACK ?= dev
PY := $(VENV)/bin/python

.PHONY: plan test lint clean

## make plan [STACK=dev|prod|path/to/Pulumi.x.yaml] [ARGS=--json]: the offline plan of a stack
plan: $(VENV)/.installed
	$(PY) -m offline $(STACK) $(ARGS)

## make test: static checks, then every test (the policy pack gets its own venv, as the CLI runs it)
test: $(VENV)/.installed policies/venv/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/zizmor --offline .github/workflows
	$(PY) -m offline.reference_docs
	$(PY) -m pytest

$(VENV)/.installed: requirements.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	touch $@

policies/venv/.installed: policies/requirements.txt constraints.txt
	$(PYTHON) -m venv policies/venv
	policies/venv/bin/pip install --quiet --disable-pip-version-check -r policies/requirements.txt -c constraints.txt
	touch $@

clean:
	rm -rf $(VENV) policies/venv .pytest_cache .ruff_cache .hypothesis
