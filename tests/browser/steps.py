"""Steps a user takes in the browser that several walk-throughs share."""

from indicators.models import Term
from units.models import Unit


def add_term_in_admin(page, base: str, *, name: str, committee: Unit, congress: int) -> Term:
    """The admin's "add term" form for `committee`, 2025–2030, saved: the new term."""
    page.goto(f"{base}/admin/indicators/term/add/")
    page.fill("input[name=name]", name)
    # The committee box is an autocomplete: give it the committee as a chosen option.
    page.eval_on_selector(
        "select[name=root_unit]",
        f"(select) => select.add(new Option('{committee.code}', '{committee.pk}', true, true))",
    )
    page.fill("input[name=congress_number]", str(congress))
    page.fill("input[name=start_year]", "2025")
    page.fill("input[name=end_year]", "2030")
    page.click("input[name=_save]")
    return Term.objects.get(root_unit=committee, name=name)


def first_administrator_logs_in(page, base: str, monkeypatch, *, username: str, password: str):
    """`make admin`'s command creates the first administrator, who then logs in."""
    from django.core.management import call_command

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", password)
    call_command("create_admin", "--noinput", "--username", username, "--email", f"{username}@x.vn")
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.get_by_test_id("login").click()
    page.wait_for_url(f"{base}/")
