# Single entry point. `make demo` and `make test` are the README's two set-up commands.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
EXAMPLE := examples/shop/payment-db-pool.log.gz

.PHONY: install demo test lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[local-llm,dev]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install argus with the local-llm and dev extras

demo: install  ## check the embedded services, then run the main job on the bundled example
	$(BIN)/argus doctor
	$(BIN)/argus diagnose $(EXAMPLE)

lint: install
	$(BIN)/ruff check argus tests bench
	$(BIN)/ruff format --check argus tests bench

typecheck: install
	$(BIN)/mypy argus

pytest: install
	$(BIN)/python -m pytest -q -ra

test: lint typecheck pytest  ## lint, types and the whole test suite

bench: install  ## run every benchmark (python -m bench NAME... for some); see bench/RESULTS.md
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
