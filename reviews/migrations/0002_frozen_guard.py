"""The database refuses to change an adopted review's rows (see reviews.models).

Triggers on PostgreSQL and SQLite refuse UPDATE and DELETE of an adopted
review, and INSERT, UPDATE and DELETE of its snapshots and explanations,
unless a `reviews_reviewunlock` row names the review (written only by
`reviews.services.review_reopen`, inside its transaction).
"""

from django.db import migrations

FROZEN = "an adopted review is frozen: reopen it with a reason first"
ADOPTED = "SELECT 1 FROM reviews_review WHERE id = {rid} AND state = 'adopted'"
UNLOCKED = "SELECT 1 FROM reviews_reviewunlock WHERE review_id = {rid}"
CHILDREN = ["reviews_snapshot", "reviews_explanation"]

POSTGRESQL = [
    f"""
CREATE OR REPLACE FUNCTION reviews_guard_review() RETURNS trigger AS $$
BEGIN
    IF OLD.state = 'adopted' AND NOT EXISTS ({UNLOCKED.format(rid="OLD.id")}) THEN
        RAISE EXCEPTION '{FROZEN}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
""",
    """
CREATE TRIGGER reviews_review_frozen BEFORE UPDATE OR DELETE ON reviews_review
FOR EACH ROW EXECUTE FUNCTION reviews_guard_review()
""",
    f"""
CREATE OR REPLACE FUNCTION reviews_guard_frozen_row() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND EXISTS ({ADOPTED.format(rid="OLD.review_id")})
       AND NOT EXISTS ({UNLOCKED.format(rid="OLD.review_id")}) THEN
        RAISE EXCEPTION '{FROZEN}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP <> 'DELETE' AND EXISTS ({ADOPTED.format(rid="NEW.review_id")})
       AND NOT EXISTS ({UNLOCKED.format(rid="NEW.review_id")}) THEN
        RAISE EXCEPTION '{FROZEN}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
""",
    *(
        f"""
CREATE TRIGGER {table}_frozen BEFORE INSERT OR UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION reviews_guard_frozen_row()
"""
        for table in CHILDREN
    ),
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS reviews_review_frozen ON reviews_review",
    *(f"DROP TRIGGER IF EXISTS {table}_frozen ON {table}" for table in CHILDREN),
    "DROP FUNCTION IF EXISTS reviews_guard_review()",
    "DROP FUNCTION IF EXISTS reviews_guard_frozen_row()",
]


def _sqlite_trigger(name: str, event: str, table: str, rid: str) -> str:
    return f"""
CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW
WHEN EXISTS ({ADOPTED.format(rid=rid)}) AND NOT EXISTS ({UNLOCKED.format(rid=rid)})
BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END
"""


SQLITE_TRIGGERS = {
    "reviews_review_frozen_update": ("UPDATE", "reviews_review", "OLD.id"),
    "reviews_review_frozen_delete": ("DELETE", "reviews_review", "OLD.id"),
}
for _table in CHILDREN:
    SQLITE_TRIGGERS |= {
        f"{_table}_frozen_insert": ("INSERT", _table, "NEW.review_id"),
        f"{_table}_frozen_update_old": ("UPDATE", _table, "OLD.review_id"),
        f"{_table}_frozen_update_new": ("UPDATE", _table, "NEW.review_id"),
        f"{_table}_frozen_delete": ("DELETE", _table, "OLD.review_id"),
    }


def create_guard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = POSTGRESQL
    elif vendor == "sqlite":
        statements = [_sqlite_trigger(name, *spec) for name, spec in SQLITE_TRIGGERS.items()]
    else:  # pragma: no cover
        raise NotImplementedError(f"No frozen-review guard for {vendor}")
    for statement in statements:
        schema_editor.execute(statement)


def drop_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        statements = POSTGRESQL_REVERSE
    else:
        statements = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_reviews")]

    operations = [migrations.RunPython(create_guard, drop_guard)]
