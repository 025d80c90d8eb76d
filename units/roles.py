"""The four roles, as Django groups: who may read and who may write what.

Group names are what administrators see in the admin; code refers to them
through these constants. The groups are created by a migration
(units/migrations/0002_roles.py) and kept in step by `sync_roles`: a change of
the grants below needs a new data migration calling it again (as 0003 does).
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
    ("indicators", "unityear", ["view"]),
    ("reviews", "review", ["view"]),
    ("reviews", "explanation", ["view"]),
]
ENTER_RESULTS = [("indicators", "result", ["add", "change", "delete"])]
# Opening a unit's year and submitting it for review.
SUBMIT_YEARS = [("indicators", "unityear", ["add", "change"])]
# Approving a submitted year (which locks it) and reopening it with a reason.
APPROVE_YEARS = [("indicators", "unityear", ["change", "approve"])]
# Writing the causes and solutions of a scope's unmet targets in a review.
EXPLAIN = [("reviews", "explanation", ["add", "change"])]
# Setting up a review, adopting it (which freezes it) and reopening it with a reason.
MANAGE_REVIEWS = [("reviews", "review", ["add", "change", "delete", "adopt", "reopen"])]
MANAGE_ALL = [
    ("units", "unit", ["add", "change", "delete"]),
    ("units", "user", ["view", "add", "change", "delete"]),
    ("auth", "group", ["view"]),
    ("indicators", "term", ["add", "change", "delete"]),
    ("indicators", "programme", ["add", "change", "delete"]),
    ("indicators", "target", ["add", "change", "delete"]),
    ("indicators", "targetyear", ["add", "change", "delete"]),
    ("indicators", "unitquota", ["add", "change", "delete"]),
    ("indicators", "unityear", ["delete"]),
    # Unlocking a locked-out login is deleting its failed attempts.
    ("axes", "accessattempt", ["view", "delete"]),
]

# Leaders read everything and change nothing; reviewers enter and approve
# within their subtree; clerks enter and submit within theirs. Which rows each
# sees is the user's unit (units.selectors.unit_scope_for), not the group.
ROLES = {
    ADMINISTRATOR: READ_ALL
    + ENTER_RESULTS
    + SUBMIT_YEARS
    + APPROVE_YEARS
    + MANAGE_ALL
    + EXPLAIN
    + MANAGE_REVIEWS,
    LEADER: READ_ALL,
    REVIEWER: READ_ALL + ENTER_RESULTS + SUBMIT_YEARS + APPROVE_YEARS + EXPLAIN,
    CLERK: READ_ALL + ENTER_RESULTS + SUBMIT_YEARS + EXPLAIN,
}


def sync_roles(apps, *, strict: bool = False) -> None:
    """Create the groups and give each its permissions (works on historical models).

    An earlier migration runs this before some of the models named above exist:
    their permissions are skipped then, and granted by the later migration that
    calls it again. `strict` refuses a missing permission of a model that exists.
    """
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
            if _model_exists(apps, app_label, model)
            for action in actions
        ]
        permissions = set()
        for app_label, codename in codenames:
            permission = permission_model.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is None:
                if strict:
                    raise LookupError(f"No permission {app_label}.{codename}")
                continue
            permissions.add(permission)
        group.permissions.set(permissions)


def _model_exists(apps, app_label: str, model: str) -> bool:
    try:
        apps.get_model(app_label, model)
    except LookupError:
        return False
    return True
