"""The first dashboard: the engine's figures, in Vietnamese, for the user's scope."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.demo import demo_load
from tests.factories import log_in, make_result, make_target, make_term, make_tree, make_user
from units import roles
from units.models import Unit

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def row_of(response, code: str) -> str:
    match = re.search(rf'<tr data-target="{re.escape(code)}">(.*?)</tr>', response.text, re.S)
    assert match, code
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


@pytest.fixture
def demo(client):
    demo_load(password="demo-password-for-tests")
    log_in(client, "lanhdao", "demo-password-for-tests")
    return client


def test_login_is_required(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_leader_sees_the_articles_mid_term_review(demo):
    response = demo.get("/")
    assert response.status_code == 200
    text = page_text(response)
    assert "9/10 chỉ tiêu hoàn thành và hoàn thành vượt mức" in text
    assert "4/5 chỉ tiêu hoàn thành của chương trình" in text
    assert "Giữa nhiệm kỳ (2,5 năm)" in text
    assert "Đại hội lần thứ XX, nhiệm kỳ 2020–2025" in text
    admissions = row_of(response, "1")
    assert "2.078" in admissions
    assert "1.600" in admissions
    assert "đạt 130% (vượt 30%)" in admissions
    assert "Vượt" in admissions
    assert "3.728" in row_of(response, "2")
    assert "1.555" in row_of(response, "3")
    assert "111/121 (91,7%)" in row_of(response, "4")
    assert "62/121 (51,2%)" in row_of(response, "5")
    assert "30/121" in row_of(response, "6")
    assert "Chưa đạt" in row_of(response, "10")
    assert "1.063/1.117 (95,2%)" in row_of(response, "CT1.4")
    assert "264" in row_of(response, "CT1.5")


def test_any_year_via_as_of(demo):
    response = demo.get("/?as_of=2022")
    assert response.status_code == 200
    assert "Năm 2022" in page_text(response)
    assert "1.670" in row_of(response, "1")  # 820 + 850
    assert "1.280" in row_of(response, "1")  # 3.200 × 2 ÷ 5


@pytest.mark.parametrize("query", ["?as_of=2019", "?as_of=abc", "?as_of=2031"])
def test_a_wrong_as_of_is_a_message_not_an_error(demo, query):
    response = demo.get("/" + query)
    assert response.status_code == 200
    assert "Thời điểm đánh giá phải là một năm từ 2021 đến 2025" in page_text(response)


@pytest.mark.parametrize("query", ["?term=999999", "?unit=abc", "?term=x1", "?unit=999999"])
def test_unknown_term_or_unit_is_a_404(demo, query):
    assert demo.get("/" + query).status_code == 404


def test_a_clerk_sees_their_own_unit_only(client):
    demo_load(password="demo-password-for-tests")
    log_in(client, "nhaplieu", "demo-password-for-tests")
    clerk_unit = Unit.objects.get(users__username="nhaplieu")
    response = client.get("/")
    assert response.status_code == 200
    assert f"<strong>{clerk_unit.name}</strong>" in response.text
    other = Unit.objects.exclude(path__startswith=clerk_unit.path).exclude(parent=None).first()
    assert client.get(f"/?unit={other.pk}").status_code == 404
    assert client.get(f"/units/{other.pk}/").status_code == 404
    # The bloc committee, and its successor since the demo's 2025 reorganisation.
    for root in Unit.objects.filter(parent=None):
        assert client.get(f"/?unit={root.pk}").status_code == 404


def test_empty_install_says_what_to_do(client):
    client.force_login(make_user("lanhdao", role=roles.LEADER))
    response = client.get("/")
    assert response.status_code == 200
    assert "Chưa có nhiệm kỳ" in response.text
    assert "quản trị viên" in response.text
    client.force_login(make_user("quantri", role=roles.ADMINISTRATOR, is_staff=True))
    assert "load_demo" in client.get("/").text


def test_page_queries_do_not_grow_with_units_or_targets(client, django_assert_max_num_queries):
    sizes = []
    for grassroots, targets in ((2, 2), (12, 8)):
        root, units = make_tree(grassroots, cells=1)
        term = make_term(root, start_year=2000 + grassroots, end_year=2005 + grassroots)
        for _number in range(targets):
            target = make_target(term)
            for unit in units:
                make_result(target, unit, term.start_year + 1, value=2)
        user = make_user(f"lanhdao{grassroots}", unit=root, role=roles.LEADER)
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        sizes.append(len(queries))
    assert sizes[0] == sizes[1]
    with django_assert_max_num_queries(sizes[1]):
        client.get("/")
