from django.db import migrations


def update_roles(apps, schema_editor):
    from units.roles import sync_roles

    sync_roles(apps, strict=True)


class Migration(migrations.Migration):
    """Roles for the workflow: unit years, approval, read-only leaders, unlocking logins."""

    dependencies = [
        ("units", "0002_roles"),
        ("indicators", "0004_history_and_approval"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(update_roles, migrations.RunPython.noop)]
