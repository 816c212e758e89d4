# Kickoff: every target sets itself up from a fresh clone.
#   make synth   venv + npm ci, synthesize config/$(ENV).yaml with every check, print the summary
#   make test    the same set-up, then ruff check, ruff format --check and pytest
#   make e2e     the same set-up, then deploy the dev config twice with the pinned CDK CLI against moto
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := synth

PYTHON ?= python3
ENV ?= prod
# A config file kept outside config/ (wins over ENV): make synth CONFIG=path/to/config.yaml
CONFIG ?=
# Deploy time the synth compiles the capacity plan for: empty means now. Pin it to reproduce a review synth.
PLAN_FROM ?=
VENV := .venv
PY := $(VENV)/bin/python
CDK := node_modules/.bin/cdk
CDK_FLAGS := --no-notices --no-version-reporting

export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := true
# cdk.json runs `python3 app.py`; the venv's python3 must come first.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: synth test e2e setup setup-runtime clean lock help

help:
	@echo "make synth [ENV=prod|dev | CONFIG=<file>] [PLAN_FROM=<ISO time>]  set up, synthesize with all checks"
	@echo "make test                  set up, ruff (lint and format check), then pytest (import contracts included)"
	@echo "make e2e                   set up, deploy the dev config twice against a local moto server, read it back"
	@echo "make lock                  re-pin transitive Python dependencies into constraints.txt"
	@echo "make clean                 remove cdk.out and caches (keeps .venv and node_modules)"

$(VENV)/.runtime: requirements.txt constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	touch $@

# checkov pins its own dependency tree (boto3, pydantic, ...), so it lives in its own venv.
.checkov-venv/.installed: requirements-checkov.txt
	test -x .checkov-venv/bin/python || $(PYTHON) -m venv .checkov-venv
	.checkov-venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	touch $@

# The capacity agent's Lambda runs Python 3.14 on ARM64 and imports numpy: its manylinux aarch64 wheel, pinned by
# hash, unpacked into build/agent-deps (a synth bundles it with kickoff/agent and kickoff/scaling).
build/agent-deps/.installed: requirements-agent.txt scripts/agent_deps.py
	rm -rf build/agent-deps build/agent-wheels
	$(PY) -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
		--platform manylinux_2_28_aarch64 --python-version 3.14 --implementation cp \
		--require-hashes -r requirements-agent.txt -d build/agent-wheels
	$(PY) scripts/agent_deps.py build/agent-wheels build/agent-deps
	rm -rf build/agent-wheels
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup-runtime: $(VENV)/.runtime node_modules/.installed .checkov-venv/.installed build/agent-deps/.installed
setup: $(VENV)/.dev node_modules/.installed .checkov-venv/.installed build/agent-deps/.installed

synth: setup-runtime
	rm -rf cdk.out
	$(CDK) synth --quiet $(CDK_FLAGS) $(if $(CONFIG),-c config=$(CONFIG),-c env=$(ENV)) $(if $(PLAN_FROM),-c plan_from=$(PLAN_FROM))
	$(PY) -m kickoff check --outdir cdk.out

test: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

# e2e/ is not in pytest's testpaths: a local moto server, the CDK CLI, about 40 s (e2e/test_deploy.py).
e2e: setup
	$(PY) -m pytest -n 0 e2e

lock:
	rm -rf build/lock-venv
	$(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	build/lock-venv/bin/pip freeze --exclude-editable | sort -f > constraints.txt
	rm -rf build/lock-venv

clean:
	rm -rf cdk.out cdk.out.* .pytest_cache .hypothesis build
