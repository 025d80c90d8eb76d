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
