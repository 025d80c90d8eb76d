"""`make admin`: the first administrator, asked for interactively.

Django's createsuperuser, then the login joins the administrators' group, so
that the admin and the dashboard treat it as the role it is.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands.createsuperuser import Command as CreateSuperuser
from django.contrib.auth.models import Group

from units import roles


class Command(CreateSuperuser):
    help = "Create the first administrator (a superuser in the administrators' group)."

    def handle(self, *args, **options):
        user_model = get_user_model()
        before = set(user_model.objects.filter(is_superuser=True).values_list("pk", flat=True))
        super().handle(*args, **options)
        group = Group.objects.get(name=roles.ADMINISTRATOR)
        for user in user_model.objects.filter(is_superuser=True).exclude(pk__in=before):
            user.groups.add(group)
            self.stdout.write(f"{user.get_username()} thuộc nhóm “{group.name}”.")
