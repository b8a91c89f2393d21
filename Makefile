# gpdesk: two commands for a fresh machine.
#   make run   - set up .venv, create the demo practice (once) and start gpdesk
#   make test  - set up .venv and run ruff, ruff format --check, mypy, then build the bundle and
#                run its own selftest (when PyInstaller is installed), then the whole pytest suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEMO_HOME ?= $(CURDIR)/.demo-praktijk
STAMP := $(VENV)/.installed

.PHONY: run test lint bench screenshots gui-proof clean bundle bundle-selftest install-desktop

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# check_display: no graphical session, or Qt's X11 plugin lacks system libraries -> one Dutch line
# and the apt-get line that fixes it, instead of Qt's abort with a core dump.
run: $(STAMP)
	@$(BIN)/python -m gpdesk.tools.check_display
	$(BIN)/gpdesk demo --home "$(DEMO_HOME)"
	$(BIN)/gpdesk --home "$(DEMO_HOME)"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The bundle is built and checked here, not in pytest, so pytest stays fast; CI installs PyInstaller
# with the dev extra, so CI always builds it.
test: lint
	@if [ -x $(BIN)/pyinstaller ]; then \
		$(MAKE) --no-print-directory bundle-selftest; \
	else \
		echo "PyInstaller is niet geïnstalleerd: bundel en zelftest van de bundel overgeslagen"; \
	fi
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

# One-folder bundle in dist/gpdesk (installer/gpdesk.spec); a few minutes, less when build/ is warm.
bundle: $(STAMP)
	$(BIN)/pyinstaller --noconfirm --log-level ERROR --distpath dist --workpath build \
		installer/gpdesk.spec

# The bundle's `gpdesk selftest`, without a display and with the bundle folder read-only.
bundle-selftest: bundle
	installer/bundle_selftest.sh dist/gpdesk

# The menu entry, icon and gpdesk:// handler in ~/.local (the bundle when built, else the venv's).
install-desktop:
	installer/install-desktop.sh $(if $(wildcard dist/gpdesk/gpdesk),,$(CURDIR)/$(BIN)/gpdesk)

# benchmarks/bundle.py measures the bundle (size, start-up): build it first when PyInstaller is there.
bench: $(STAMP)
	@if [ -x $(BIN)/pyinstaller ]; then $(MAKE) --no-print-directory bundle; fi
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m benchmarks

# The whole GUI suite RUNS times in one process each, offscreen and under Xvfb (issue #8's proof).
RUNS ?= 20
gui-proof: $(STAMP)
	tests/gui_proof.sh $(RUNS)

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m gpdesk.tools.screenshots docs/screenshots

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache
