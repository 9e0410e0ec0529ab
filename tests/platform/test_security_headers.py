import re

import pytest

from tests.support import child_env

pytestmark = pytest.mark.django_db


def test_pages_carry_a_content_security_policy_with_a_fresh_nonce(client):
    first = client.get("/backoffice/login/")
    second = client.get("/backoffice/login/")
    policy = first["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert nonce not in second["Content-Security-Policy"]
    # Every script the page loads carries the nonce; no third-party host appears anywhere.
    html = first.content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert f'nonce="{nonce}"' in tag
    assert not re.search(r"""(src|href)=["']https?://""", html)


def test_pages_forbid_framing_and_sniffing(client):
    response = client.get("/backoffice/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_over_https_cookies_are_host_bound_and_hsts_lasts_a_year(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    settings.CSRF_COOKIE_NAME = "__Host-csrftoken"
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    response = client.get("/backoffice/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    csrf = response.cookies["__Host-csrftoken"]
    assert csrf["secure"] and csrf["path"] == "/" and not csrf["domain"]


def test_production_settings_use_host_cookies_and_redirect_to_https():
    """The settings module itself, not a test override, gives these names when HTTPS is on."""
    import subprocess
    import sys

    script = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)"
    )
    env = child_env(HTTPS="true", DJANGO_SETTINGS_MODULE="mds_connectees.settings", ENV_FILE="/dev/null")
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    ).stdout.split()  # fmt: skip
    assert out == ["__Host-sessionid", "__Host-csrftoken", "True", "31536000"]


@pytest.mark.parametrize("path", ["/backoffice/login/", "/nulle-part/", "/healthz", "/static/css/app.css"])
def test_every_response_denies_the_camera_the_microphone_the_location_and_payments(client, path):
    """Pages, error pages, the health check and static files alike."""
    policy = client.get(path)["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy
