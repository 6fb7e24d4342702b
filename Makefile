# Two commands do all set-up on a fresh machine:
#   make serve   - install into .venv and serve this repo's ticket site (ticketgen serve, live reload)
#   make test    - install into .venv (plus Debian's chromium for browser tests) and run every check
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ADDR ?= 127.0.0.1:8000

.PHONY: setup serve test browser bench mutation

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

serve: $(STAMP)
	$(BIN)/ticketgen serve --dev-addr $(ADDR)

# Browser tests drive Debian's chromium (never a downloaded browser); install it when missing.
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	else echo "chromium is not installed and cannot be installed here: browser tests will be skipped"; fi

test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/ticketgen lint
	$(BIN)/ticketgen runbooks --check
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m compileall -q ticketgen  # as a regular install would: no compile cost in timings
	$(BIN)/python bench/run.py

# Break each security guard in a temp copy and show a test fails (tests/security/mutation.py); not part of `make test`.
mutation: $(STAMP)
	$(BIN)/python tests/security/mutation.py
