"""Hardening: locked-out logins, passwords, sessions, headers, CSRF, error pages, deploy checks."""

import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client, RequestFactory, override_settings
from django.views import defaults

from indicators.models import Term
from tests.factories import make_root, make_target, make_term, make_unit, make_user
from units import roles
from units.models import Kind

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent
PASSWORD = "a-long-test-password"


def production_env() -> dict[str, str]:
    """The environment of a production server: no DEBUG, a real key, a host."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "SESSION_", "CSRF_", "DEBUG"))
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="example.org",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    return env


def fail_logins(client, url: str, username: str, times: int, ip: str = "10.1.1.1"):
    responses = []
    for _attempt in range(times):
        responses.append(
            client.post(url, {"username": username, "password": "wrong-password"}, REMOTE_ADDR=ip)
        )
    return responses


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_failed_logins_lock_the_username(client, url):
    """After AXES_FAILURE_LIMIT failures the right password no longer gets in, from anywhere."""
    make_user("nhaplieu", unit=make_root(), role=roles.CLERK, is_staff=True)
    limit = settings.AXES_FAILURE_LIMIT
    responses = fail_logins(client, url, "nhaplieu", limit)
    assert responses[0].status_code == 200  # the form again, with its error
    assert responses[-1].status_code == 429
    assert "Đăng nhập bị khóa" in responses[-1].content.decode()
    # The right password, from another address: still locked, no session.
    response = client.post(
        url, {"username": "nhaplieu", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.filter(username="nhaplieu").exists()


def test_failed_logins_from_one_address_lock_that_address(client):
    """Guessing many usernames from one address locks the address too."""
    make_user("lanhdao", role=roles.LEADER)
    for number in range(settings.AXES_FAILURE_LIMIT):
        fail_logins(client, "/login/", f"guess{number}", 1, ip="10.2.2.2")
    response = client.post(
        "/login/", {"username": "lanhdao", "password": PASSWORD}, REMOTE_ADDR="10.2.2.2"
    )
    assert response.status_code == 429
    response = client.post(
        "/login/", {"username": "lanhdao", "password": PASSWORD}, REMOTE_ADDR="10.3.3.3"
    )
    assert response.status_code == 302


def test_a_good_login_below_the_limit_gets_in_and_resets_the_count(client):
    """Fewer failures than the limit do not lock; a good login clears them."""
    make_user("lanhdao", role=roles.LEADER)
    fail_logins(client, "/login/", "lanhdao", settings.AXES_FAILURE_LIMIT - 1)
    response = client.post(
        "/login/", {"username": "lanhdao", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="lanhdao").exists()


def test_a_good_login_of_one_account_keeps_the_failures_of_another(client):
    """Failures against one account survive a successful login of another from the address."""
    root = make_root()
    make_user("quantri", unit=root, role=roles.ADMINISTRATOR, is_staff=True)
    make_user("nhaplieu", unit=root, role=roles.CLERK, is_staff=True)
    limit = settings.AXES_FAILURE_LIMIT
    fail_logins(client, "/login/", "quantri", limit - 1)
    response = client.post(
        "/login/", {"username": "nhaplieu", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 302
    client.logout()
    assert fail_logins(client, "/login/", "quantri", 1)[0].status_code == 429
    # Locked for the right password too, from another address.
    response = client.post(
        "/login/", {"username": "quantri", "password": PASSWORD}, REMOTE_ADDR="10.7.7.7"
    )
    assert response.status_code == 429


@override_settings(AXES_IPWARE_META_PRECEDENCE_ORDER=["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"])
def test_behind_the_proxy_logins_are_counted_per_client_address(client):
    """With the proxy's header configured, one client's failures lock that client only."""
    make_user("lanhdao", role=roles.LEADER)
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for number in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/login/",
            {"username": f"guess{number}", "password": "wrong-password"},
            HTTP_X_FORWARDED_FOR="203.0.113.7",
            **proxy,
        )
    locked = client.post(
        "/login/",
        {"username": "lanhdao", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.7",
        **proxy,
    )
    assert locked.status_code == 429
    other = client.post(
        "/login/",
        {"username": "lanhdao", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.9",
        **proxy,
    )
    assert other.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("ngắn-quá", "12"),
        ("password1234", "phổ biến"),
        ("nguyenvanan2024", "giống"),
        ("123456789012345", "toàn là số"),
    ],
)
def test_weak_passwords_are_refused(password, message):
    """Short, common, name-like and all-digit passwords are refused in Vietnamese."""
    user = make_user("nguyenvanan", first_name="Nguyen", last_name="Van An")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert any(message in error for error in refused.value.messages), refused.value.messages


def test_a_strong_password_is_accepted():
    """A long passphrase passes every validator."""
    validate_password("Ngày-mai-trời-lại-sáng-2025", make_user("nguyenvanan"))


def test_sessions_end_after_being_idle(client, monkeypatch):
    """Requests push the session's expiry forward by the idle timeout, at most once a minute."""
    assert 5 * 60 <= settings.SESSION_COOKIE_AGE <= 60 * 60
    now = [1_800_000_000.0]
    monkeypatch.setattr(time, "time", lambda: now[0])
    client.force_login(make_user("lanhdao", role=roles.LEADER))
    response = client.get("/")
    assert response.cookies["sessionid"]["max-age"] == settings.SESSION_COOKIE_AGE
    now[0] += 30
    assert "sessionid" not in client.get("/").cookies  # not written again within the minute
    now[0] += 31
    assert client.get("/").cookies["sessionid"]["max-age"] == settings.SESSION_COOKIE_AGE


def test_pages_carry_the_security_headers(client):
    """Framing, sniffing, referrer and opener are all restricted."""
    client.force_login(make_user("lanhdao", role=roles.LEADER))
    response = client.get("/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize("url", ["/login/", "/admin/login/", "/logout/"])
def test_a_post_without_its_csrf_token_is_refused(url):
    """Login and logout forms refuse a POST without its token, with a generic page."""
    client = Client(enforce_csrf_checks=True)
    response = client.post(url, {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Biểu mẫu đã hết hạn" in response.content.decode()


def test_the_admin_refuses_a_post_without_its_csrf_token():
    """Even a superuser's admin POST needs its token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("quantri", is_staff=True, is_superuser=True))
    response = client.post("/admin/units/unit/add/", {"name": "Đơn vị", "code": "X"})
    assert response.status_code == 403


def test_an_unknown_address_gets_the_generic_page_not_found(client):
    """A 404 is a plain Vietnamese page, never Django's debug page."""
    client.force_login(make_user("lanhdao", role=roles.LEADER))
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "Không tìm thấy trang" in text
    assert "Traceback" not in text
    assert "urlpatterns" not in text


@pytest.mark.parametrize(
    ("view", "status", "heading"),
    [
        (defaults.server_error, 500, "Đã có lỗi xảy ra"),
        (defaults.bad_request, 400, "Yêu cầu không hợp lệ"),
        (defaults.permission_denied, 403, "Không được phép"),
    ],
)
def test_error_pages_are_generic_and_vietnamese(view, status, heading):
    """400, 403 and 500 pages say what happened in Vietnamese, no traceback."""
    request = RequestFactory().get("/")
    response = view(request) if view is defaults.server_error else view(request, Exception("x"))
    assert response.status_code == status
    text = response.content.decode()
    assert heading in text
    assert "Traceback" not in text


def test_deploy_checks_pass_under_production_settings():
    """`check --deploy --fail-level WARNING` is clean with DEBUG off and real settings."""
    env = production_env()
    completed = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "no issues" in completed.stdout


def test_production_settings_switch_https_on():
    """The same settings module, read without DEBUG and outside the tests."""
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS, s.DEBUG)"
    )
    env = production_env()
    completed = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.stdout.split() == ["True", "True", "True", "31536000", "False"], (
        completed.stderr
    )


def test_a_password_of_one_repeated_character_is_refused():
    """ "aaaaaaaaaaaa" is twelve characters, but not a password."""
    user = make_user("nguyenvanan")
    for weak in ("aaaaaaaaaaaa", "abababababab"):
        with pytest.raises(ValidationError) as refused:
            validate_password(weak, user)
        assert any("khác nhau" in message for message in refused.value.messages)


def test_pages_forbid_inline_scripts(client):
    """The policy allows the app's own script files only; no page carries inline script."""
    client.force_login(make_user("lanhdao", role=roles.LEADER))
    for url in ("/login/", "/", "/admin/login/"):
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self';" in policy
        assert "frame-ancestors 'none'" in policy
    templates = BASE_DIR / "templates"
    for template in templates.rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"\son[a-z]+\s*=", text), template
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", text), template


def test_logged_in_pages_and_exports_are_never_cached(client):
    """Pages and files with a unit's figures carry `Cache-Control: private, no-store`."""
    root = make_root()
    make_term(root)
    client.force_login(make_user("lanhdao", unit=root, role=roles.LEADER))
    for url in ("/", "/completeness/", "/exports/summary.csv", "/exports/results.xlsx"):
        response = client.get(url)
        assert response.status_code == 200, url
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, url


def test_the_language_cookie_is_secure_when_the_session_cookie_is():
    """In production the language cookie goes over HTTPS only, like the session's."""
    code = "from django.conf import settings as s; print(s.LANGUAGE_COOKIE_SECURE)"
    completed = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.stdout.split() == ["True"], completed.stderr


@override_settings(LANGUAGE_COOKIE_SECURE=True)
def test_switching_language_sets_a_secure_cookie(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True


def test_a_leader_of_the_bloc_reads_the_terms_of_committees_below(client):
    """Terms are read by whoever is under or above their committee; the own term opens first."""
    root = make_root()
    below = make_unit("Đảng bộ Cơ sở", parent=root, kind=Kind.GRASSROOTS_COMMITTEE)
    own = make_term(root, start_year=2015, end_year=2020)
    lower = Term.objects.create(
        name="Nghị quyết Đảng bộ Cơ sở", root_unit=below, congress_number=7,
        start_year=2020, end_year=2025,
    )  # fmt: skip
    make_target(lower, name="Chỉ tiêu của cơ sở")
    client.force_login(make_user("lanhdao", unit=root, role=roles.LEADER))
    response = client.get("/", {"term": lower.pk})
    assert response.status_code == 200
    assert "Chỉ tiêu của cơ sở" in response.content.decode()
    assert client.get("/").context["term"] == own
    # A leader of the unit below still does not read the bloc's committee's sibling terms.
    sibling = make_unit("Đảng bộ khác", parent=root, kind=Kind.GRASSROOTS_COMMITTEE)
    other = Term.objects.create(
        name="Nghị quyết khác", root_unit=sibling, congress_number=3,
        start_year=2020, end_year=2025,
    )  # fmt: skip
    client.force_login(make_user("lanhdao2", unit=below, role=roles.LEADER))
    assert client.get("/", {"term": other.pk}).status_code == 404


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_while_the_database_is_down_pages_say_to_try_again(client, monkeypatch, error):
    """A refused or dropped connection is a Vietnamese 503 "thử lại sau", not a 500."""
    client.force_login(make_user("lanhdao", role=roles.LEADER))
    client.raise_request_exception = False

    def refuse(self):
        raise error("connection to server failed: Connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
    for url in ("/", "/login/", "/admin/"):
        response = client.get(url)
        assert response.status_code == 503, url
        assert "thử lại sau" in response.content.decode()
        assert response["Retry-After"] == "30"


def test_a_failure_other_than_the_database_stays_a_500(client, monkeypatch):
    """Only lost connections are a 503: a bug is still reported as an error."""
    client.force_login(make_user("lanhdao", role=roles.LEADER))
    client.raise_request_exception = False
    monkeypatch.setattr(
        "reports.views.term_progress", lambda **kwargs: (_ for _ in ()).throw(KeyError("x"))
    )
    root = make_root()
    make_term(root)
    response = client.get("/")
    assert response.status_code == 500
    assert "Đã có lỗi xảy ra" in response.content.decode()


def test_connections_are_checked_before_reuse():
    """A connection kept from before a database restart is tested, not used blindly."""
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_gunicorn_sends_no_server_header(tmp_path):
    """`make serve`'s gunicorn, with its config file, names no server software."""
    env = production_env() | {"ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"), "config.wsgi",
            "-c", "config/gunicorn.conf.py", "--bind", "127.0.0.1:8112", "--workers", "1",
        ],
        cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        headers = None
        for _attempt in range(100):
            try:
                with urllib.request.urlopen("http://127.0.0.1:8112/khong-co/", timeout=5) as reply:
                    headers = reply.headers
                break
            except urllib.error.HTTPError as error:
                headers = error.headers
                break
            except OSError:
                time.sleep(0.2)
        assert headers is not None, "gunicorn did not answer"
        assert "Server" not in headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
    finally:
        server.terminate()
        server.wait(timeout=30)
