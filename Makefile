# meetbridge — developer entry points. Every target sets up what it needs first.
VENV := .venv
PY := $(VENV)/bin/python
LAB := infra/lab/netns-run
POD_VENV := /var/tmp/meetbridge-lab-pod-venv
PYTEST_ARGS ?=

.PHONY: setup run demo test test-unit lint k8s-check lab-pod-venv bench clean lab-shell

setup: ## install system packages, the bot user and the Python venv (idempotent)
	./infra/setup.sh

run: setup ## Redis + API + one worker on this machine; prints the API address and a key
	$(PY) -m meetbridge_cli run

demo: setup ## two lab meetings bridged through a room: prints what people hear and see
	$(LAB) $(PY) -m lab.demo

test: setup k8s-check lab-pod-venv ## the whole test suite, inside the lab's private network namespace
	$(LAB) $(PY) -m pytest $(PYTEST_ARGS)

test-unit: setup
	$(PY) -m pytest -m unit $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy meetbridge vendor_scripts bridge_worker orchestrator meetbridge_cli lab bench infra/k8s_check.py

lab-pod-venv: setup ## the worker installed as its image installs it (Debian's Python), for the pod tests
	MEETBRIDGE_SETUP_ROLE=worker MEETBRIDGE_VENV=$(POD_VENV) PYTHON=/usr/bin/python3 ./infra/setup.sh
	$(POD_VENV)/bin/pip install -q --no-deps --force-reinstall .
	rm -rf build

k8s-check: setup ## render, validate (offline) and policy-check the Kubernetes manifests; lint the Dockerfiles
	$(PY) infra/k8s_check.py

bench: setup ## benchmarks print one JSON object on their last line
	$(LAB) $(PY) -m bench.join_time
	$(LAB) $(PY) -m bench.api_join
	$(LAB) $(PY) -m bench.vendor_join
	$(LAB) $(PY) -m bench.room_plane
	$(LAB) $(PY) -m bench.camera_receive
	$(LAB) $(PY) -m bench.stage_path
	$(LAB) $(PY) -m bench.camera_path
	$(LAB) $(PY) -m bench.bridge_latency
	$(LAB) $(PY) -m bench.browser_participant
	$(LAB) $(PY) -m bench.capacity

lab-shell: setup ## a shell inside a private lab network namespace
	$(LAB) bash

clean:
	rm -rf $(VENV) .run .pytest_cache .mypy_cache .ruff_cache
