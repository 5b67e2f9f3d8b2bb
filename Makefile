# Single entry point. `make demo` and `make test` are the README's two set-up commands.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.package-lock.json
CHROMIUM := /usr/bin/chromium
EXAMPLE := examples/shop/payment-db-pool.log.gz
EXAMPLE_BASELINE := examples/shop/baseline/payment-normal.log.gz
# llama.cpp built for the host CPU crashes in batched decoding on AVX-512/AMX machines; a
# portable AVX2 build is safe everywhere. Built uncached so that no native wheel is reused.
LLAMA_CPP := llama-cpp-python[server]==0.3.36
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF

.PHONY: install demo test lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install --quiet --no-cache-dir '$(LLAMA_CPP)'
	$(BIN)/python -m pip install --quiet -e '.[local-llm,eval,dev]'
	touch $(STAMP)

# The console's browser assets (htmx, Chart.js), pinned by package-lock.json, served by Argus.
$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund

# The browser of the console's end-to-end tests: Debian's chromium (never a downloaded one).
$(CHROMIUM):
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium

install: $(STAMP) $(NODE_STAMP) $(CHROMIUM)  ## .venv with argus (local-llm, eval, dev), npm assets, chromium

demo: install  ## check the embedded services, then run the main job on the bundled example
	$(BIN)/argus doctor
	$(BIN)/argus diagnose $(EXAMPLE) --baseline $(EXAMPLE_BASELINE) --label platform=shop

lint: install
	$(BIN)/ruff check argus tests bench
	$(BIN)/ruff format --check argus tests bench
	$(BIN)/lint-imports  # the layers of DESIGN.md §2 (pyproject.toml [tool.importlinter])

typecheck: install
	$(BIN)/mypy argus

pytest: install  ## a private --basetemp: concurrent pytest runs must not share /tmp/pytest-of-*
	$(BIN)/python -m pytest -q -ra --basetemp=$(CURDIR)/.pytest-tmp

test: lint typecheck pytest  ## lint, types and the whole test suite

bench: install  ## run every benchmark (python -m bench NAME... for some); see bench/RESULTS.md
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) node_modules .mypy_cache .pytest_cache .ruff_cache
