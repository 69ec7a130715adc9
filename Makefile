PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,plot,dask,sklearn,bench,docs]"
	touch $(STAMP)

demo: $(STAMP)
	MPLBACKEND=Agg $(VENV)/bin/glmkit demo

test: $(STAMP)
	MPLBACKEND=Agg $(PY) -m pytest -q

# The API reference, from the docstrings; any Sphinx warning is an error.
docs: $(STAMP)
	$(PY) -m sphinx -b html -W --keep-going -q docs docs/_build/html

bench: $(STAMP)
	$(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) build dist src/*.egg-info docs/_build
