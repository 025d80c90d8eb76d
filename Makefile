# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
POSTGRES_URL ?= postgres://root@127.0.0.1:5432/root
DEV_ENV := DEBUG=true

.PHONY: install run migrate demo test test-postgres lint format messages clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

migrate: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput

demo: migrate
	$(DEV_ENV) $(BIN)/python manage.py load_demo

## make run: set up on SQLite, load the demo and serve http://127.0.0.1:$(PORT)
run: demo
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## make test: the whole suite (SQLite unless DATABASE_URL says otherwise)
test: install
	$(BIN)/pytest

test-postgres: install
	DATABASE_URL=$(POSTGRES_URL) $(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make messages: refresh and compile the translations (needs GNU gettext)
messages: install
	$(DEV_ENV) $(BIN)/python manage.py makemessages -l vi -l en --ignore=.venv --ignore=tests --no-location
	$(DEV_ENV) $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
