import os
import subprocess
import sys
import textwrap

from django.conf import settings

# Starts Django with our settings plus django.contrib.sites, which flatpages, sitemaps and most authentication
# add-ons require: two apps with one label make django.setup() raise ImproperlyConfigured.
_WITH_CONTRIB_SITES = textwrap.dedent(
    """
    import runpy

    import django
    from django.conf import settings

    # Read the settings file itself: importing the mds_connectees package would configure Django first.
    ours = runpy.run_path("mds_connectees/settings.py")
    values = {name: value for name, value in ours.items() if name.isupper()}
    values["INSTALLED_APPS"] = [*values["INSTALLED_APPS"], "django.contrib.sites"]
    settings.configure(**values)
    django.setup()
    from django.apps import apps
    print(apps.get_app_config("sites").name, apps.get_app_config("mds_sites").name)
    """
)


def test_django_contrib_sites_installs_beside_our_sites_app():
    """Adding django.contrib.sites (for flatpages, sitemaps, auth add-ons) starts Django: no label clash."""
    result = subprocess.run(
        [sys.executable, "-c", _WITH_CONTRIB_SITES],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=settings.BASE_DIR,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["django.contrib.sites", "sites"]
