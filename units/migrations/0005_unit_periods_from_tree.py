"""One open placement per existing unit, from its current parent and path.

Units founded on an unknown date are placed from 01/01/1900 (before any term),
so every year of every term reads the tree as it is today, as before.
"""

import datetime

from django.db import migrations

UNKNOWN_START = datetime.date(1900, 1, 1)


def periods_from_tree(apps, schema_editor):
    Unit = apps.get_model("units", "Unit")
    UnitPeriod = apps.get_model("units", "UnitPeriod")
    have = set(UnitPeriod.objects.values_list("unit_id", flat=True))
    rows = []
    for unit_id, parent_id, path, founded_on in Unit.objects.values_list(
        "id", "parent_id", "path", "founded_on"
    ).iterator(chunk_size=2000):
        if unit_id in have:
            continue
        start = founded_on or UNKNOWN_START
        rows.append(
            UnitPeriod(
                unit_id=unit_id, parent_id=parent_id, start=start, path=path,
                first_year=start.year,
            )  # fmt: skip
        )
    UnitPeriod.objects.bulk_create(rows, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("units", "0004_unit_history"),
    ]

    operations = [
        migrations.RunPython(periods_from_tree, migrations.RunPython.noop),
    ]
