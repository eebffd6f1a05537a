# The README's commands. Each target does its own set-up: a virtual environment in .venv with
# the package installed (editable, with the dev, jax, docs, onnx and litert extras), and the offline
# Fashion-MNIST files.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
FASHION_MNIST_SYSTEM_DIR := /usr/share/datasets/fashion-mnist
CLASSICZOO := $(VENV)/bin/classiczoo

.PHONY: demo test docs install data lint pip-check jax-check benchmark clean

## demo: train lenet5_bn on Fashion-MNIST (reproducibly), export a SavedModel, evaluate it
demo: $(INSTALLED) data
	$(CLASSICZOO) train --model lenet5_bn --dataset fashion_mnist --val-split 0.1 --deterministic
	$(CLASSICZOO) evaluate saved_models/lenet5_bn

## test: lint, the docs site (strict: a broken reference or link fails), and the test suite
## spread over the cores (pytest-xdist; the 15 slowest tests listed) under TensorFlow, then
## the tests marked `backends` again under Keras's JAX backend
test: $(INSTALLED) data lint docs
	$(PY) -m pytest -n auto
	KERAS_BACKEND=jax $(PY) -m pytest -n auto -m backends

## docs: the documentation site (mkdocs.yml, docs/) into site/; any warning fails the build.
## NO_MKDOCS_2_WARNING hides mkdocs-material's notice about its own end of life.
docs: $(INSTALLED)
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict

## pip-check: the wheel in a fresh virtual environment, used from outside the repository
pip-check: $(INSTALLED) data
	.ci/pip_user_check $(PYTHON)

## jax-check: train in a fresh environment with JAX and no TensorFlow; export and evaluate here
jax-check: $(INSTALLED) data
	.ci/jax_only_check $(PYTHON)

install: $(INSTALLED)

# setuptools' banner about editable installs ("folders ... with the same name as your package")
# passes pip's --quiet: it is a Python warning of the build, filtered by its text.
$(INSTALLED): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	PYTHONWARNINGS="ignore:Editable installation" $(PY) -m pip install --quiet -e '.[dev,jax,docs,onnx,litert]'
	touch $(INSTALLED)

## data: Debian's dataset-fashion-mnist, the offline source of Fashion-MNIST (needs root)
data:
	@if [ -n "$$FASHION_MNIST_DIR" ] || [ -f $(FASHION_MNIST_SYSTEM_DIR)/t10k-labels-idx1-ubyte.gz ]; then \
		echo "Fashion-MNIST IDX files present."; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist; \
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist; \
	else \
		echo "Cannot install Debian's dataset-fashion-mnist here (not root): set FASHION_MNIST_DIR to the IDX files, or tensorflow-datasets will download Fashion-MNIST."; \
	fi

lint: $(INSTALLED)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

## benchmark: the runs behind docs/BENCHMARKS.md
benchmark: $(INSTALLED) data
	$(PY) benchmarks/lenet_accuracy.py
	$(PY) benchmarks/pipeline_throughput.py
	$(PY) benchmarks/loop_overhead.py
	$(PY) benchmarks/determinism_cost.py
	$(PY) benchmarks/augmentation_throughput.py
	$(PY) benchmarks/serving_input_checks.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
