"""The four roles, as Django groups: who may read and who may write what.

Group names are what administrators see in the admin; code refers to them
through these constants. The groups are created by a migration
(units/migrations/0002_roles.py) and kept in step by `sync_roles`.
"""

ADMINISTRATOR = "Quản trị"
LEADER = "Lãnh đạo"
REVIEWER = "Kiểm duyệt"
CLERK = "Nhập liệu"

READ_ALL = [
    ("units", "unit", ["view"]),
    ("indicators", "term", ["view"]),
    ("indicators", "programme", ["view"]),
    ("indicators", "target", ["view"]),
    ("indicators", "targetyear", ["view"]),
    ("indicators", "unitquota", ["view"]),
    ("indicators", "result", ["view"]),
]
ENTER_RESULTS = [("indicators", "result", ["add", "change", "delete"])]
MANAGE_ALL = [
    ("units", "unit", ["add", "change", "delete"]),
    ("units", "user", ["view", "add", "change", "delete"]),
    ("auth", "group", ["view"]),
    ("indicators", "term", ["add", "change", "delete"]),
    ("indicators", "programme", ["add", "change", "delete"]),
    ("indicators", "target", ["add", "change", "delete"]),
    ("indicators", "targetyear", ["add", "change", "delete"]),
    ("indicators", "unitquota", ["add", "change", "delete"]),
]

ROLES = {
    ADMINISTRATOR: READ_ALL + ENTER_RESULTS + MANAGE_ALL,
    LEADER: READ_ALL,
    REVIEWER: READ_ALL + ENTER_RESULTS,
    CLERK: READ_ALL + ENTER_RESULTS,
}


def sync_roles(apps) -> None:
    """Create the groups and give each its permissions (works on historical models)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        group, _created = group_model.objects.get_or_create(name=name)
        codenames = [
            (app_label, f"{action}_{model}")
            for app_label, model, actions in grants
            for action in actions
        ]
        permissions = [
            permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in codenames
        ]
        group.permissions.set(permissions)
