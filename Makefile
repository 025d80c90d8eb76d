# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
POSTGRES_URL ?= postgres://root@127.0.0.1:5432/root
DEV_ENV := DEBUG=true

.PHONY: install run serve migrate demo demo-reset admin test test-postgres lint format messages clean bench screenshots

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

migrate: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput

## make demo: load the demo only when it is absent (what users entered stays)
demo: migrate
	$(DEV_ENV) $(BIN)/python manage.py load_demo

## make demo-reset: reload the demo from scratch (results entered in its term are lost)
demo-reset: migrate
	$(DEV_ENV) $(BIN)/python manage.py load_demo --reset

## make admin: create the first administrator, asked for interactively
admin: migrate
	$(DEV_ENV) $(BIN)/python manage.py create_admin

## make run: set up on SQLite, load the demo if absent and serve http://127.0.0.1:$(PORT)
run: demo
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## make serve: production serving, gunicorn + whitenoise on $(BIND) (HTTPS goes in front).
## Needs SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL in the environment; DEBUG stays off.
WORKERS ?= 3
BIND ?= 127.0.0.1:$(PORT)
serve: install
	$(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/gunicorn config.wsgi -c config/gunicorn.conf.py --bind $(BIND) --workers $(WORKERS) --access-logfile -

## make test: the whole suite (SQLite unless DATABASE_URL says otherwise), one process per core
test: install
	$(BIN)/pytest -n auto

## make screenshots: each dashboard page at desktop and phone width, into docs/screenshots/
screenshots: install
	$(BIN)/pytest tests/browser/screenshots.py -q -p no:cacheprovider

test-postgres: install
	DATABASE_URL=$(POSTGRES_URL) $(BIN)/pytest -n auto

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make bench: the performance figures, S, Lr (L reorganising 5% of units a year) and L, on the
## local PostgreSQL (a database of its own); SIZES="L Lr" picks sizes
bench: install
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://root@127.0.0.1:5432/nqtracker_bench} $(BIN)/python -m benchmarks $(SIZES)

## make messages: refresh and compile the translations (needs GNU gettext)
messages: install
	$(DEV_ENV) $(BIN)/python manage.py makemessages -l vi -l en --ignore=.venv --ignore=tests --no-location
	$(DEV_ENV) $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
