# The README's two commands: `make run` and `make test`. Everything else is a helper.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= .data
PORT ?= 8470
APT := chromium xvfb libportaudio2 libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libdbus-1-3 \
       libfontconfig1 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 \
       libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0 fonts-dejavu-core \
       libpython3-dev desktop-file-utils nftables iproute2 janus redis-server

.PHONY: run test system-deps venv forms server app lint bench bench-hub bench-api bench-network clean

# System packages (Debian): Chromium for browser tests, Xvfb for screenshots, PortAudio,
# nftables and iproute2 for the network lab, Janus (its VideoRoom) for group-room tests.
system-deps:
	@missing=""; for p in $(APT); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[server,app,dev]"
	touch $(STAMP)

venv: $(STAMP)

# The Qt Designer forms ui/*.ui -> vtconnect_care/app/forms/ui_*.py (only those that changed).
forms: venv
	$(BIN)/python scripts/build_ui.py

server: venv
	$(BIN)/vtconnect-server --demo --data-dir $(DATA) --port $(PORT)

app: venv forms
	$(BIN)/vtconnect-care --portal-url http://127.0.0.1:$(PORT)

# Server with demo data in the background, then the desktop app; the server stops with the app.
run: system-deps venv forms
	@mkdir -p $(DATA)
	@$(BIN)/vtconnect-server --demo --data-dir $(DATA) --port $(PORT) & srv=$$!; \
	trap "kill $$srv 2>/dev/null" EXIT INT TERM; \
	for i in $$(seq 1 100); do curl -fsS http://127.0.0.1:$(PORT)/health >/dev/null 2>&1 && break; sleep 0.2; done; \
	$(BIN)/vtconnect-care --portal-url http://127.0.0.1:$(PORT); \
	echo "App closed; stopping the server."

test: system-deps venv forms
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: venv
	$(BIN)/python bench/call.py --json bench/results/call.json

# The realtime hub (2,000 sockets, one process; 200 sockets over two processes and Redis) and the
# REST API's hot GETs: docs/deploy.md, "Scaling out"
bench-hub: venv
	$(BIN)/python bench/hub.py --sockets 2000 --json bench/results/hub.json
	$(BIN)/python bench/hub.py --sockets 200 --processes 2 --json bench/results/hub-2proc.json

bench-api: venv
	$(BIN)/python bench/api.py --json bench/results/api.json

# Calls on emulated bad networks in network namespaces (root, nftables, iproute2): docs/network-testing.md
bench-network: venv
	$(BIN)/python bench/network.py --json bench/results/network.json

clean:
	rm -rf $(VENV) $(DATA) build dist *.egg-info
	rm -f vtconnect_care/app/forms/ui_*.py
