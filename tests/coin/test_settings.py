"""Safe defaults: DEBUG only when asked, production refuses weak settings, check --deploy is clean."""

import secrets

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from coin import production

from .startup import run_coin

PRINT_DEBUG = ("shell", "-c", "from django.conf import settings; print('DEBUG', settings.DEBUG)")


def production_env(tmp_path, **overrides):
    """What an operator gives a production host: a strong key, an https base URL, a host name."""
    env = {
        "COIN_ENV": "production",
        "COIN_VAR_DIR": str(tmp_path / "var"),
        "COIN_SECRET_KEY": secrets.token_urlsafe(50),
        "COIN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "COIN_BASE_URL": "https://coin.example.org",
        "COIN_ALLOWED_HOSTS": "coin.example.org",
    }
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def test_debug_is_off_unless_asked_for(tmp_path):
    local = {"COIN_VAR_DIR": str(tmp_path / "var")}
    started = run_coin(*PRINT_DEBUG, env=local)
    assert started.returncode == 0, started.stderr
    assert "DEBUG False" in started.stdout

    asked = run_coin(*PRINT_DEBUG, env={**local, "COIN_DEBUG": "1"})
    assert "DEBUG True" in asked.stdout


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"COIN_SECRET_KEY": None}, "COIN_SECRET_KEY must be set"),
        ({"COIN_SECRET_KEY": "0123456789abcdef"}, "COIN_SECRET_KEY is too weak"),
        ({"COIN_BASE_URL": None}, "COIN_BASE_URL must be set"),
        ({"COIN_DEBUG": "1"}, "COIN_DEBUG must not be on"),
    ],
)
def test_production_refuses_to_start_with_weak_settings(tmp_path, overrides, message):
    started = run_coin("check", env=production_env(tmp_path, **overrides))
    assert started.returncode != 0
    assert started.stderr.startswith(f"coin: {message}")  # the message, not a traceback


def test_production_refuses_the_key_generated_for_local_use(tmp_path):
    local = {"COIN_VAR_DIR": str(tmp_path / "var")}
    assert run_coin("check", env=local).returncode == 0  # generates var/secret_key
    copied_key = (tmp_path / "var" / "secret_key").read_text().strip()

    started = run_coin("check", env=production_env(tmp_path, COIN_SECRET_KEY=copied_key))
    assert started.returncode != 0
    assert "generated for local use" in started.stderr


@pytest.mark.parametrize(
    "key",
    [
        "a" * 60,  # long but a few characters repeated
        # Django's startproject placeholder; fixed, so the test id is the same in every worker.
        "django-insecure-" + "Vn3q8Jx2Lr5Tz0Pw7Kc4Hs9Mb1Yd6Fg" * 2,
        "changeme",
    ],
)
def test_published_and_repetitive_secret_keys_are_refused(tmp_path, key):
    with pytest.raises(ImproperlyConfigured):
        production.check_secret_key(key, tmp_path / "secret_key")


@pytest.mark.parametrize("url", ["", "http://coin.example.org", "https://", "coin.example.org"])
def test_the_base_url_must_be_https(url):
    with pytest.raises(ImproperlyConfigured):
        production.check_base_url(url)


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    checked = run_coin("check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "System check identified no issues" in checked.stdout
