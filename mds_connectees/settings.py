"""Settings for MDS Connectées, read from the environment (and a local `.env` file).

One module for every deployment: production is the default posture (DEBUG off, HTTPS,
secure cookies); a developer's machine says otherwise through variables, which
`scripts/run` writes to `.env` on first start. `.env.example` documents each variable.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# Variables already in the environment win over the file; ENV_FILE=/dev/null reads none (tests, containers).
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)

# --- Core -------------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
# No default key: empty, the web server and the Celery processes refuse to start (mds_connectees.startup) and
# `check --deploy` fails; commands that sign nothing (makemigrations, collectstatic) still run.
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Served over TLS (directly or behind a proxy). Only a developer's plain-HTTP machine turns it off.
HTTPS = env.bool("HTTPS", default=True)

INSTALLED_APPS = [
    "mds_connectees.apps.MdsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # ArrayField, unaccent search (accueil)
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",  # the lists' filters and search (core.lists)
    "django_tables2",  # the lists' tables: sortable columns, pages (core.lists, templates/includes/table.html)
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "auditlog",
    "core",
    "sites",
    "wifi",
    "accueil",
    "mediation",
    "captive_portal",
    "funding",
]

MIDDLEWARE = [
    # The public splash, served with the headers of the middleware below but without the rest of them.
    "captive_portal.middleware.PortalSplashMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "sites.middleware.TwoFactorRequiredMiddleware",
    "sites.middleware.BackofficeInFrenchMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.AuditlogMiddleware",
    # Last, as django-axes asks, so that it sees the outcome of every login attempt.
    "core.middleware.AxesMiddleware",
]
# The public captive portal's paths (visitors' pages, gateways' entry points, the RFC 8908 API): anonymous,
# no login, nothing audited, so auditlog's and axes' middleware skip them (core.middleware).
PUBLIC_PORTAL_PREFIXES = ("/portal/", "/guest/s/")
# axes looks for its own dotted path in MIDDLEWARE; core.middleware.AxesMiddleware is that class, subclassed.
SILENCED_SYSTEM_CHECKS = ["axes.W002"]

ROOT_URLCONF = "mds_connectees.urls"
WSGI_APPLICATION = "mds_connectees.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sites.context_processors.backoffice",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------------------------
# PostgreSQL everywhere, one engine: production and CI name theirs in DATABASE_URL; scripts/run and scripts/test
# set it to the local server or to one they embed under var/ (scripts/servers.py).
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/mds_connectees")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis everywhere too (cache and Celery broker), named as PostgreSQL is.
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        # Django's Redis cache, where an unreachable Redis reads as a miss: the portal stays up on its database.
        "BACKEND": "core.cache.ResilientRedisCache",
        "LOCATION": env.str("CACHE_URL", default=REDIS_URL),
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="mds"),
        # Short timeouts: a down Redis must make a page slower by seconds, not hang it.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}

# --- Authentication ---------------------------------------------------------------------------
AUTH_USER_MODEL = "mds_sites.Agent"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "sites.backends.MembershipBackend",
]
LOGIN_URL = "sites:login"
LOGIN_REDIRECT_URL = "sites:dashboard"
LOGOUT_REDIRECT_URL = "sites:login"
PASSWORD_HASHERS = env.list(
    "PASSWORD_HASHERS",
    default=["django.contrib.auth.hashers.PBKDF2PasswordHasher"],
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

# django-axes: lock an account for this address after repeated failures, and for every address after
# more of them (credential stuffing from many addresses); see sites/lockout.py.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ACCOUNT_FAILURE_LIMIT = env.int("AXES_ACCOUNT_FAILURE_LIMIT", default=20)
AXES_HANDLER = "sites.lockout.AccountLockoutHandler"
# One counter per account however its address is typed (REC@… and rec@… are the same agent).
AXES_USERNAME_CALLABLE = "sites.lockout.normalised_username"
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The login form's field is `username` (holding the email); axes would otherwise read USERNAME_FIELD
# ("email"), find nothing, and lock the whole address out instead of one account.
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Reverse proxies in front of the platform: only then is X-Forwarded-For trusted (axes, portal API).
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if PROXY_COUNT else ["REMOTE_ADDR"]

# django-otp: the issuer shown in the agent's authenticator app.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="MDS Connectées")

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "fr"
# LANGUAGES: the public pages' languages, see PORTAL_LANGUAGES below. The back-office is always French.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Files only a view that checks the role may serve (the FEDER supporting documents): no URL of their own.
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": env.str("STATICFILES_STORAGE", default="whitenoise.storage.CompressedManifestStaticFilesStorage")
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Every table of the back-office through one template (core.lists), even a Table that declares no Meta of its own.
DJANGO_TABLES2_TEMPLATE = "includes/table.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm align-middle"}

# --- Email and SMS ----------------------------------------------------------------------------
# EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.org:587 ; the console prints mail by default.
_email = env.email_url("EMAIL_URL", default="consolemail://")
_SMTP_OPTIONS = {
    "EMAIL_HOST": "host",
    "EMAIL_PORT": "port",
    "EMAIL_HOST_USER": "username",
    "EMAIL_HOST_PASSWORD": "password",
    "EMAIL_USE_TLS": "use_tls",
    "EMAIL_USE_SSL": "use_ssl",
}


def _mailer_options(email: dict) -> dict:
    if email["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
        return {option: email[key] for key, option in _SMTP_OPTIONS.items() if key in email} | {"timeout": 10}
    if email["EMAIL_BACKEND"].endswith("filebased.EmailBackend"):
        # filemail:///var/mail → <project>/var/mail; filemail:////srv/mail → /srv/mail (django-environ drops a /).
        return {"file_path": str(BASE_DIR / email["EMAIL_FILE_PATH"])}
    return {}


MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": _mailer_options(_email)}}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="MDS Connectées <ne-pas-repondre@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# SMS (core.sms): a backend's dotted path or one of core.sms.backends' names — console (prints), filebased,
# locmem, dummy, brevo (the provider, which needs SMS_API_KEY and SMS_SENDER and refuses to start without).
SMS_BACKEND = env.str("SMS_BACKEND", default="console")
SMS_API_URL = env.str("SMS_API_URL", default="")  # empty: the provider's documented endpoint
SMS_API_KEY = env.str("SMS_API_KEY", default="")  # no default key: the provider backend refuses an empty one
SMS_SENDER = env.str("SMS_SENDER", default="")  # shown on the phone: up to 11 letters and digits
SMS_TIMEOUT = env.float("SMS_TIMEOUT", default=10.0)  # seconds for one request to the provider
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(VAR_DIR / "sms"))  # the filebased backend's directory

# --- Security headers -------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 10)  # one working day
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "core.errors.csrf_failure"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Browser features no page uses, denied to every page and frame (Permissions-Policy, core.middleware).
PERMISSIONS_POLICY_DENIED = [
    "accelerometer", "ambient-light-sensor", "autoplay", "bluetooth", "camera", "display-capture",
    "geolocation", "gyroscope", "hid", "magnetometer", "microphone", "midi", "payment",
    "publickey-credentials-get", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
]  # fmt: skip
if HTTPS:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies are bound to this exact host, HTTPS only, path / (RFC 6265bis).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_NAME = "__Host-language"
    LANGUAGE_COOKIE_SECURE = True
    SECURE_CSP["upgrade-insecure-requests"] = True
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz is polled by monitoring over plain HTTP inside the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# /healthz names the failing part only to a request with this token (header X-Healthz-Token) or from the
# machine itself; everyone else gets the status code. Empty: details from the machine itself only.
HEALTHZ_TOKEN = env.str("HEALTHZ_TOKEN", default="")

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
BEAT_TICK_SECONDS = env.int("BEAT_TICK_SECONDS", default=60)

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Time in the process's zone (Europe/Paris, which Django sets from TIME_ZONE) with its UTC offset, as gunicorn
    # writes it: "2026-12-01 09:12:03+0100", unambiguous across the daylight-saving change.
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s", "datefmt": "%Y-%m-%d %H:%M:%S%z"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Audit trail ------------------------------------------------------------------------------
AUDITLOG_INCLUDE_ALL_MODELS = False

# --- Programme data ---------------------------------------------------------------------------
# The département's own list of MDS and sites: another département points this at its file.
MDS_DATA_FILE = Path(env.str("MDS_DATA_FILE", default=str(BASE_DIR / "data" / "mds" / "bouches-du-rhone.json")))

# --- WiFi polling ------------------------------------------------------------------------------
# The ways of polling an access point, as Django names its email and session backends: the key is what
# AccessPoint.probe_kind stores, the value a subclass of wifi.probes.base.Probe. Adding a driver is one line here.
WIFI_PROBES = {
    "snmp_v2c": "wifi.probes.snmp.SnmpV2cProbe",
    "snmp_v3": "wifi.probes.snmp.SnmpV3Probe",
    "http_json": "wifi.probes.http_json.HttpJsonProbe",
    "tcp": "wifi.probes.reachability.TcpProbe",
    "icmp": "wifi.probes.reachability.IcmpProbe",
}
WIFI_POLL_SECONDS = env.int("WIFI_POLL_SECONDS", default=60)
WIFI_PROBE_TIMEOUT = env.float("WIFI_PROBE_TIMEOUT", default=1.0)  # seconds, per attempt
WIFI_PROBE_RETRIES = env.int("WIFI_PROBE_RETRIES", default=1)  # attempts after the first, made by Probe.probe()
WIFI_CONCURRENCY = env.int("WIFI_CONCURRENCY", default=150)  # first attempts in flight at once (benchmarks/)
WIFI_DOWN_AFTER_FAILURES = env.int("WIFI_DOWN_AFTER_FAILURES", default=3)
WIFI_UP_AFTER_SUCCESSES = env.int("WIFI_UP_AFTER_SUCCESSES", default=2)
# Storm control (wifi.services): this share of the polled fleet going down in one round, on several sites, is
# the poller's network, not as many faults: one outage, one page, the APs' own alerts held until it clears.
# Below WIFI_STORM_MIN_APS polled APs a fleet is too small to tell.
WIFI_STORM_SHARE = env.float("WIFI_STORM_SHARE", default=0.3)
WIFI_STORM_MIN_APS = env.int("WIFI_STORM_MIN_APS", default=10)
# /healthz reports "wifi round overdue" when no round finished for this long while APs are polled.
WIFI_ROUND_OVERDUE_SECONDS = env.int("WIFI_ROUND_OVERDUE_SECONDS", default=3 * WIFI_POLL_SECONDS)
# Polling secrets, never in the database: {"name": {"community": …} | {"user": …, "auth_key": …, "priv_key": …,
# "auth_protocol": "SHA", "priv_protocol": "AES"} | {"token": …} | {"username": …, "password": …}}.
# An access point names its set in `credential_name`.
WIFI_CREDENTIALS = env.json("WIFI_CREDENTIALS", default={})
# Who else hears of incidents (e.g. the maintenance contractor), besides the agents with the ops role.
WIFI_ALERT_EMAILS = env.list("WIFI_ALERT_EMAILS", default=[])
# Largest inventory CSV the back-office accepts (10,000 access points make about 2.2 MB).
WIFI_IMPORT_MAX_BYTES = env.int("WIFI_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
# Team webhooks (wifi.notifications): signing secrets by name, never in the database (as WIFI_CREDENTIALS): a
# team names its secret, so a database dump or the admin never shows one, and rotating it is a deploy.
WIFI_WEBHOOK_SECRETS = env.json("WIFI_WEBHOOK_SECRETS", default={})
WIFI_WEBHOOK_TIMEOUT = env.float("WIFI_WEBHOOK_TIMEOUT", default=5.0)  # seconds per POST, connect and answer
WIFI_WEBHOOK_MAX_ATTEMPTS = env.int("WIFI_WEBHOOK_MAX_ATTEMPTS", default=8)
WIFI_WEBHOOK_RETRY_SECONDS = env.float("WIFI_WEBHOOK_RETRY_SECONDS", default=30.0)  # doubled at each retry, ≤ 1 h
WIFI_WEBHOOK_FAILING_AFTER = env.int("WIFI_WEBHOOK_FAILING_AFTER", default=3)  # failed attempts in a row: shown

# --- Captive portal ------------------------------------------------------------------------------
# Languages of the public pages: French first (CRPA L.111-1), the others as a help to the MDS's public.
PORTAL_LANGUAGES = [
    ("fr", "Français"),
    ("en", "English"),
    ("ar", "العربية"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("tr", "Türkçe"),
    ("pt", "Português"),
]
LANGUAGES = [(code, name) for code, name in PORTAL_LANGUAGES]
# The gateway protocols a site's portal may use: kind (stored on the portal, at most 20 characters) → class, by
# dotted path (captive_portal.gateways.base.Gateway). A new protocol is a class and a line here.
PORTAL_GATEWAYS = {
    "opennds_3": "captive_portal.gateways.opennds.OpenNDSLevel3",
    "opennds_1": "captive_portal.gateways.opennds.OpenNDSLevel1",
    "unifi": "captive_portal.gateways.unifi.UniFi",
    "click_through": "captive_portal.gateways.click_through.ClickThrough",
}
# Gateway secrets by set name (never in the database): {"name": {"faskey": …} | {"api_key": …} |
# {"username": …, "password": …}}. A site's portal names its set.
PORTAL_GATEWAY_SECRETS = env.json("PORTAL_GATEWAY_SECRETS", default={})
# The portal's public origin (https), used in RFC 8908 answers and gateway redirects.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="")
# A plain-http address outside the walled garden: the RFC 8908 user-portal-url sends a captive device there so
# that its gateway intercepts it and redirects it to the portal with its own (signed or checked) parameters.
PORTAL_PROBE_URL = env.str("PORTAL_PROBE_URL", default="http://neverssl.com/")
# Accepts per minute (core.ratelimit, failing open): per device (it accepts once a session), per source address
# (a site's visitors share its NAT address) and per site. A very busy MDS behind one address may need more.
PORTAL_ACCEPTS_PER_MINUTE = {"device": 10, "source": 120, "site": 600} | env.json(
    "PORTAL_ACCEPTS_PER_MINUTE", default={}
)

# --- Online reception: notifications (accueil.notifications) -----------------------------------------
# An acknowledgement, alert or reply that fails is tried again after 30 s, then 1, 2, 4 min… (doubling, at most
# an hour apart), up to this many attempts in all; then it is marked failed, with the provider's error kept.
ACCUEIL_NOTIFY_MAX_ATTEMPTS = 5
ACCUEIL_NOTIFY_RETRY_SECONDS = 30
# Beat's sweep of the outbox (what the broker never got, reminders now due): how often, and how long one sweep
# may send before leaving the rest to the next (under the tasks' 120 s soft time limit).
ACCUEIL_NOTIFY_SWEEP_EVERY_SECONDS = 60
ACCUEIL_NOTIFY_SWEEP_SECONDS = 60
# The languages the messages to the person are translated into (English is the catalogue's source); a request in
# another portal language gets them in French until its catalogue carries them.
ACCUEIL_MESSAGE_LANGUAGES = ["fr", "en", "ar"]
# --- Online reception: the public contact form (accueil) ----------------------------------------
# Languages of /contact/: French first, then those whose catalogues accueil/locale/ holds. A portal language
# without its catalogue here (es, it…) falls back to French, the reference language, rather than a mix.
ACCUEIL_PUBLIC_LANGUAGES = ["fr", "en", "ar"]
# A person is answered within this many working days: the success page says so (a promise the MDS keeps).
ACCUEIL_ANSWER_WORKING_DAYS = env.int("ACCUEIL_ANSWER_WORKING_DAYS", default=3)
# Who to write to about one's data (the information notice): the Département's data protection officer.
ACCUEIL_DPO_CONTACT = env.str("ACCUEIL_DPO_CONTACT", default="dpo@departement.example.fr")
# Anti-abuse without a third-party CAPTCHA (accueil.submission): seconds a person needs at least to fill the form,
# submissions per hour per client address and per phone number or email, and the largest body the form reads.
ACCUEIL_FORM_MIN_SECONDS = env.int("ACCUEIL_FORM_MIN_SECONDS", default=4)
ACCUEIL_SUBMISSIONS_PER_HOUR = {"address": 20, "contact": 5} | env.json("ACCUEIL_SUBMISSIONS_PER_HOUR", default={})
ACCUEIL_FORM_MAX_BYTES = env.int("ACCUEIL_FORM_MAX_BYTES", default=64 * 1024)
# A self-hosted proof of work (ALTCHA-like, accueil/pow.py), off until spam gets through the checks above: the
# browser finds a number whose SHA-256 with a signed salt matches; up to ACCUEIL_POW_MAX_NUMBER tries (about a
# second on a cheap phone). Without JavaScript the form still works, but must have been open longer.
ACCUEIL_PROOF_OF_WORK = env.bool("ACCUEIL_PROOF_OF_WORK", default=False)
ACCUEIL_POW_MAX_NUMBER = env.int("ACCUEIL_POW_MAX_NUMBER", default=50_000)
ACCUEIL_POW_MIN_SECONDS_WITHOUT = env.int("ACCUEIL_POW_MIN_SECONDS_WITHOUT", default=20)
# --- Accueil: personal data (issue 12, person record and retention) -----------------------------
# Days each kind of the reception's personal data is kept before it is anonymised (README, "Personal data"):
# closed requests 1 year after closing (CNIL's 2023 social-sector référentiel allows 2 years after the last contact
# for an accompaniment; a request is only its first step and the form's notice says 1 year), appointments 2 years
# after they ended, the message log (outbox context, provider log rows) 6 months after it was written.
ACCUEIL_RETENTION_DAYS = {"requests": 365, "appointments": 730, "messages": 183} | env.json(
    "ACCUEIL_RETENTION_DAYS", default={}
)
# Rows anonymised per transaction by the daily task: short locks however large the backlog.
ACCUEIL_ANONYMISE_BATCH = env.int("ACCUEIL_ANONYMISE_BATCH", default=500)
# --- Accueil: appointments and self-booking (issue 12) ---
# The public origin put in front of the links the person receives (the signed cancel link); empty: a relative
# link, fine for the pages themselves but not for a message.
APPOINTMENT_LINK_BASE_URL = env.str("APPOINTMENT_LINK_BASE_URL", default="")
# A cancel link stops working after this many seconds (and in any case once the motif's cancel deadline passed).
APPOINTMENT_CANCEL_LINK_MAX_AGE = env.int("APPOINTMENT_CANCEL_LINK_MAX_AGE", default=120 * 24 * 3600)
# --- Digital mediation (issue 13) ---
# A seat freed in a full session is offered to the next person waiting for this many hours (or until the session
# starts), then passes to the next (beat's mediation.tasks.expire_offers, every MEDIATION_OFFERS_EVERY_SECONDS).
MEDIATION_OFFER_HOURS = env.int("MEDIATION_OFFER_HOURS", default=24)
MEDIATION_OFFERS_EVERY_SECONDS = 600
# A registration's signed cancel link stops working after this many seconds.
MEDIATION_CANCEL_LINK_MAX_AGE = env.int("MEDIATION_CANCEL_LINK_MAX_AGE", default=120 * 24 * 3600)
# The messages to people registered (mediation.messages, through core.outbox): attempts and backoff as the
# reception's, beat's sweep every minute; written in the registration's language when translated, else French; the
# links they carry start with this public origin (empty: the reception's).
MEDIATION_NOTIFY_MAX_ATTEMPTS = 5
MEDIATION_NOTIFY_RETRY_SECONDS = 30
MEDIATION_NOTIFY_SWEEP_EVERY_SECONDS = 60
MEDIATION_NOTIFY_SWEEP_SECONDS = 60
MEDIATION_MESSAGE_LANGUAGES = ["fr", "en", "ar"]
MEDIATION_LINK_BASE_URL = env.str("MEDIATION_LINK_BASE_URL", default=APPOINTMENT_LINK_BASE_URL)
# Days before anonymisation (mediation.retention): registrations after their session, consenting beneficiaries
# after their last accompaniment.
MEDIATION_RETENTION_DAYS = {"registrations": 365, "beneficiaries": 730} | env.json(
    "MEDIATION_RETENTION_DAYS", default={}
)
# Online registrations to workshops an hour, per client address and per phone or email (mediation.views_public).
# They fail open: a down Redis never turns a person away (the registration is written in PostgreSQL).
MEDIATION_REGISTRATIONS_PER_HOUR = {"address": 20, "contact": 5}
# --- FEDER funding (issue 14) ---
# The operation as approved, loaded by `manage.py load_feder_operation` (and by scripts/run): data, not code.
FEDER_OPERATION_FILE = BASE_DIR / "data" / "feder" / "mds-connectees.toml"
# An interim claim is worth sending once this much paid, eligible expense (HT) waits unclaimed; the managing
# authority's calendar of claims (month-day each year) is shown on the dashboard next to it.
FUNDING_INTERIM_CLAIM_THRESHOLD = Decimal(env.str("FUNDING_INTERIM_CLAIM_THRESHOLD", default="50000.00"))
FUNDING_CLAIM_CALENDAR = env.list("FUNDING_CLAIM_CALENDAR", default=["03-31", "06-30", "09-30", "12-15"])
# `manage.py publicity_evidence` screenshots each site's portal as a phone shows it, from this address (the
# platform as the public reaches it), with Debian's Chromium.
FUNDING_PUBLICITY_BASE_URL = env.str("FUNDING_PUBLICITY_BASE_URL", default="http://127.0.0.1:8000")
FUNDING_PUBLICITY_CHROMIUM = env.str("FUNDING_PUBLICITY_CHROMIUM", default="/usr/bin/chromium")
