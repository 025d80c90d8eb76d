"""The demo reproduces the seed article's mid-term figures from its results."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from indicators.demo import demo_load
from indicators.engine import Status, as_of_mid_term, term_progress
from indicators.models import Result, Term, UnitQuota
from units.models import Unit

pytestmark = pytest.mark.django_db


def login_request():
    """Logins are checked by django-axes, which needs the request they come with."""
    return RequestFactory().post("/login/")


def test_demo_yields_the_articles_figures():
    report = demo_load(password="demo-password-for-tests")
    term = report.term
    progress = term_progress(term=term, as_of=as_of_mid_term(term))
    rows = {row.target.code: row for row in progress.targets}
    assert (progress.headline.met, progress.headline.total) == (9, 10)
    assert rows["1"].actual == 2078
    assert rows["1"].expected == 1600
    assert round(rows["1"].completion * 100) == 130
    assert rows["2"].actual == 3728
    assert rows["2"].status == Status.EXCEEDED
    assert rows["3"].actual == 1555
    assert (rows["4"].numerator, rows["4"].denominator) == (111, 121)
    assert (rows["5"].numerator, rows["5"].denominator) == (62, 121)
    assert rows["6"].actual == 30
    assert [row.target.code for row in progress.headline_targets if not row.is_met] == ["10"]
    [programme] = progress.programmes
    assert (programme.tally.met, programme.tally.total) == (4, 5)
    assert rows["CT1.1"].actual == 100
    assert rows["CT1.2"].actual > 60
    assert rows["CT1.3"].actual > 80
    assert (rows["CT1.4"].numerator, rows["CT1.4"].denominator) == (1063, 1117)
    assert rows["CT1.5"].actual == 264
    assert Unit.objects.filter(kind__in=["grassroots_committee", "grassroots_cell"]).count() == 121
    assert Unit.objects.filter(kind="cell").exists()


def test_demo_loads_twice_to_the_same_data(capsys, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    call_command("load_demo")
    counts = (Unit.objects.count(), Term.objects.count(), Result.objects.count(),
              UnitQuota.objects.count())  # fmt: skip
    call_command("load_demo")
    assert counts == (Unit.objects.count(), Term.objects.count(), Result.objects.count(),
                      UnitQuota.objects.count())  # fmt: skip
    assert "demo-password-for-tests" in capsys.readouterr().out
    for username in ("quantri", "lanhdao", "nhaplieu"):
        assert authenticate(login_request(), username=username, password="demo-password-for-tests")


def test_demo_generates_and_prints_a_password_when_none_is_given(capsys, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("load_demo")
    password = capsys.readouterr().out.rsplit(":", 1)[-1].strip()
    assert len(password) >= 12
    assert authenticate(login_request(), username="lanhdao", password=password)
