# Everything the project needs is installed from package names into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint docs soak soak-load same-verdict bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/diffcompare grad "x1**2*x2 + x2*x3" --at 2,3,4

lint: $(STAMP)
	$(BIN)/ruff check .

# Byte-compiled once here: the suite starts the command line in ~250 subprocesses, and with
# PYTHONDONTWRITEBYTECODE set each would compile the package again.
test: lint
	$(BIN)/python -m compileall -q diffcompare
	$(BIN)/pytest -n 2  # two workers: the suite is CPU-bound and this machine has two cores

# Ten runs of the CI test suite on a fresh clone, each under 3 minutes (issue: bounded).
soak:
	bash .ci/soak 10 180

# The same, ten runs, each under 6 minutes, while two busy loops keep both cores busy.
soak-load:
	bash .ci/soak --load 10 360

# The bundled samples' check outcomes and the README's examples, idle and under load: the
# same verdicts, the same output (time columns aside).
same-verdict: $(STAMP)
	bash .ci/same-verdict 10

# The peers benchmarks/ measures against (numdifftools, scipy, autograd, jax), then every
# benchmark: ratios against them, measured in the same run.
$(VENV)/.bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $(VENV)/.bench

bench: $(VENV)/.bench
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/richardson.py
	$(BIN)/python benchmarks/gradient_cost.py
	$(BIN)/python benchmarks/taylor.py

docs: $(STAMP)
	$(BIN)/python docs/make_docs.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
