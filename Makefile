# Everything the project needs is installed from package names into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint docs soak clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/diffcompare grad "x1**2*x2 + x2*x3" --at 2,3,4

lint: $(STAMP)
	$(BIN)/ruff check .

test: lint
	$(BIN)/pytest

# Ten runs of the CI test suite on a fresh clone, each under 3 minutes (issue: bounded).
soak:
	bash .ci/soak 10 180

docs: $(STAMP)
	$(BIN)/python docs/make_docs.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
