import pytest

from tests.factories import (
    make_result,
    make_review,
    make_target,
    make_term,
    make_tree,
    make_user,
)
from units import roles


@pytest.fixture
def world(db):
    """A bloc with two organisations, a met and an unmet target, a review in preparation.

    As of the mid-term point (2,5 of 5 years): admissions 60 against 50 expected
    (met); trainings 10 against 50 expected (not yet met).
    """
    root, (alpha, bravo) = make_tree(2)
    alpha.name, bravo.name = "Đảng bộ Alpha", "Đảng bộ Bravo"
    alpha.save()
    bravo.save()
    term = make_term(root)
    admitted = make_target(term, code="1", name="Kết nạp đảng viên", term_target=100)
    trained = make_target(term, code="2", name="Bồi dưỡng", term_target=100)
    make_result(admitted, alpha, 2021, value=40)
    make_result(admitted, bravo, 2022, value=20)
    make_result(trained, alpha, 2021, value=10)
    review = make_review(term)
    return {
        "root": root,
        "alpha": alpha,
        "bravo": bravo,
        "term": term,
        "admitted": admitted,
        "trained": trained,
        "review": review,
        "admin": make_user("quantri", role=roles.ADMINISTRATOR, is_staff=True),
        "leader": make_user("lanhdao", unit=root, role=roles.LEADER, is_staff=True),
        "clerk": make_user("nhaplieu", unit=root, role=roles.CLERK, is_staff=True),
        "alpha_clerk": make_user("alpha", unit=alpha, role=roles.CLERK, is_staff=True),
    }
