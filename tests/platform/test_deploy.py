import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import child_env

PRODUCTION = {
    "DEBUG": "false",
    "HTTPS": "true",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "mds-connectees.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://mds-connectees.example.org",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
    "ENV_FILE": "/dev/null",
}


def _check_deploy(**overrides) -> subprocess.CompletedProcess:
    env = child_env(**(PRODUCTION | overrides))
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("overrides", "warning"),
    [
        pytest.param({"DEBUG": "true"}, "security.W018", id="debug-on"),
        pytest.param({"SECRET_KEY": "short"}, "security.W009", id="weak-secret-key"),
        pytest.param({"HTTPS": "false"}, "security.W004", id="no-hsts"),
        pytest.param({"EMAIL_URL": "consolemail://"}, "mail.E001", id="mail-printed-not-sent"),
    ],
)
def test_check_deploy_catches_an_unsafe_configuration(overrides, warning):
    """The deploy check is a real gate: each unsafe setting makes it fail."""
    result = _check_deploy(**overrides)
    assert result.returncode != 0
    assert warning in result.stdout + result.stderr


_SERVING = {
    "web": [sys.executable, "-c", "import mds_connectees.wsgi"],  # what gunicorn loads
    "worker": [sys.executable, "-m", "celery", "-A", "mds_connectees", "worker", "--pool", "solo", "-Q", "default"],
    "deploy check": [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
}


@pytest.mark.parametrize("process", list(_SERVING))
def test_the_platform_refuses_to_start_without_a_secret_key(process):
    """The web server and the workers stop at once, saying which variable is missing; the deploy check fails."""
    env = {k: v for k, v in child_env(**PRODUCTION).items() if k != "SECRET_KEY"}
    result = subprocess.run(_SERVING[process], env=env, capture_output=True, text=True, timeout=120, cwd=".")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


def test_commands_that_sign_nothing_run_without_a_secret_key():
    """An image is built and its migrations checked before its secrets exist."""
    env = {k: v for k, v in child_env(**PRODUCTION).items() if k != "SECRET_KEY"}
    result = subprocess.run([sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"], env=env,
                            capture_output=True, text=True, timeout=120, cwd=".")  # fmt: skip
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("url", "folder"), [("filemail:////{tmp}/mail", "{tmp}/mail"), ("filemail:///var/mail-test", "var/mail-test")]
)
def test_email_to_files_writes_in_the_folder_the_url_names(tmp_path, url, folder):
    """EMAIL_URL=filemail://… (development, benchmarks) keeps each message as a file: four slashes for an absolute
    folder, three for one inside the project."""
    from django.conf import settings

    target = Path(folder.format(tmp=tmp_path))
    target = target if target.is_absolute() else settings.BASE_DIR / target
    shutil.rmtree(target, ignore_errors=True)
    send = "from django.core.mail import send_mail; send_mail('Objet', 'Corps', 'a@example.org', ['b@example.org'])"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", send],
        env=child_env(SECRET_KEY="test", ENV_FILE="/dev/null", EMAIL_URL=url.format(tmp=tmp_path)),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    try:
        assert result.returncode == 0, result.stderr
        [written] = target.iterdir()
        assert "Subject: Objet" in written.read_text()
    finally:
        if not target.is_relative_to(tmp_path):
            shutil.rmtree(target, ignore_errors=True)
