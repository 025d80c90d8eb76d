from django.db import migrations


def update_roles(apps, schema_editor):
    from units.roles import sync_roles

    sync_roles(apps, strict=True)


class Migration(migrations.Migration):
    """Roles for reviews: everyone reads them, clerks and reviewers explain, administrators adopt."""

    dependencies = [
        ("reviews", "0002_frozen_guard"),
        ("units", "0003_roles_workflow"),
    ]

    operations = [migrations.RunPython(update_roles, migrations.RunPython.noop)]
