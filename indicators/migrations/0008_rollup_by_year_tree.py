"""Rebuild the roll-up: each result now counts where its unit stood in its year."""

from django.db import migrations


def rebuild_rollup(apps, schema_editor):
    from indicators.rollup import rollup_refresh

    rollup_refresh()


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0007_target_frequency"),
        ("units", "0005_unit_periods_from_tree"),
    ]

    operations = [
        migrations.RunPython(rebuild_rollup, migrations.RunPython.noop),
    ]
