"""Restarting never loses data: the demo loads only when absent; the first administrator."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from indicators.models import Result, Target, Term
from units import roles
from units.models import Unit

pytestmark = pytest.mark.django_db


def make_run_steps() -> None:
    """What `make run` does before serving: migrate, then load_demo."""
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_demo")


def test_make_run_twice_keeps_a_result_entered_in_between(monkeypatch, capsys):
    """A result typed between two starts of the server is still there after the second."""
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    make_run_steps()
    target = Target.objects.get(term__is_illustrative=True, code="1")
    unit = Unit.objects.get(code="KHOI")
    Result.objects.create(target=target, unit=unit, year=2024, value=4321, note="gõ tay")
    changed = Result.objects.filter(target__code="2").order_by("pk").first()
    changed.value = 999_999
    changed.save()
    count = Result.objects.count()

    make_run_steps()

    assert Result.objects.get(target=target, unit=unit, year=2024).value == 4321
    assert Result.objects.get(pk=changed.pk).value == 999_999
    assert Result.objects.count() == count
    assert Term.objects.count() == 2  # the demo's term and its successor's (2025–2030)
    assert "giữ nguyên" in capsys.readouterr().out


def test_demo_reset_reloads_the_demo(monkeypatch):
    """load_demo --reset drops what was entered in the demo term and reloads it."""
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    call_command("load_demo")
    target = Target.objects.get(term__is_illustrative=True, code="1")
    unit = Unit.objects.get(code="KHOI")
    Result.objects.create(target=target, unit=unit, year=2024, value=4321)
    call_command("load_demo", "--reset")
    assert not Result.objects.filter(target=target, unit=unit, year=2024).exists()
    assert Result.objects.filter(target__term__is_illustrative=True).exists()


def test_create_admin_makes_a_superuser_in_the_administrators_group(monkeypatch):
    """make admin's command gives the first login the administrator role."""
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-password-1")
    call_command("create_admin", "--noinput", "--username", "bithu", "--email", "b@example.vn")
    user = get_user_model().objects.get(username="bithu")
    assert user.is_superuser
    assert user.is_staff
    assert list(user.groups.values_list("name", flat=True)) == [roles.ADMINISTRATOR]
    assert user.check_password("a-long-password-1")
