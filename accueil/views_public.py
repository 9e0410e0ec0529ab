"""The public contact form (/contact/, /contact/<mds>/) and its "sent" page, in the visitor's language.

No cookie is needed (as on the captive portal, whose mini-browser may keep none): the language travels in `lang`,
the form carries its own signed start time, which is what protects it (csrf_exempt below: a forged cross-site
post would only file a request under the forger's own name, and still needs a token we signed), and the "sent"
page is reached through a signed, short-lived token, never the bare reference (nobody reads another's request).
"""

import time

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accueil import pow, submission
from accueil.forms import ContactForm, started_token
from accueil.models import ContactRequest
from core.net import client_ip
from core.public_language import in_public_language, language_links
from sites.models import Mds, Site

SENT_SALT = "accueil.contact.sent"
SENT_MAX_AGE = 60 * 60  # the "sent" page can be reloaded for an hour; the reference is also sent to the person


def _portal_site(slug: str, mds: Mds | None) -> Site | None:
    """The site whose portal sent the visitor here (its link names it), if it belongs to the MDS chosen."""
    if not slug or mds is None:
        return None
    return Site.objects.filter(slug=slug[:50], mds=mds).first()


def _render(request, *, form: ContactForm, language: str, mds: Mds | None, refusal=None, status: int = 200):
    form.describe()
    challenge = pow.challenge_new() if settings.ACCUEIL_PROOF_OF_WORK else None
    if challenge and form.is_bound:  # a new challenge for each page shown: an answer is used once
        form.data = form.data.copy()
        form.data["pow_token"], form.data["pow_number"] = challenge["token"], ""
    elif challenge:
        form.initial["pow_token"] = challenge["token"]
    context = {
        "pow": challenge,
        "form": form, "language": language, "languages": language_links(request, language), "mds": mds,
        "refusal": refusal, "site_slug": (request.POST.get("site") or request.GET.get("site") or "")[:50],
        "dpo_contact": settings.ACCUEIL_DPO_CONTACT,
    }  # fmt: skip
    return render(request, "accueil/public/contact.html", context, status=status)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
@in_public_language
def contact(request: HttpRequest, mds_slug: str | None = None, *, language: str) -> HttpResponse:
    mds = get_object_or_404(Mds, slug=mds_slug) if mds_slug else None
    if request.method == "GET":
        preselected = mds or ContactForm.routed_mds(request.GET.get("commune", "")[:120])
        form = ContactForm(initial={"mds": preselected, "started": started_token(),
                                    "commune": request.GET.get("commune", "")[:120]})  # fmt: skip
        return _render(request, form=form, language=language, mds=mds)

    if submission.body_too_large(request):
        # Not read, so it cannot be shown again: an empty form and why (only a client past the maxlengths gets here).
        form = ContactForm(initial={"mds": mds, "started": started_token()})
        return _render(request, form=form, language=language, mds=mds, refusal=submission.REFUSALS["too_large"],
                       status=413)  # fmt: skip
    form = ContactForm(request.POST)
    refusal = submission.form_refusal(
        honeypot=request.POST.get("website", ""), started=request.POST.get("started", ""), now=time.time(),
        pow_token=request.POST.get("pow_token", ""), pow_number=request.POST.get("pow_number", ""),
    )  # fmt: skip
    if refusal is not None:
        # What was typed is shown again; the honeypot emptied (a person's autofill may have filled it) and a fresh
        # start time when ours was not readable, so that sending again, after a look, goes through.
        data = request.POST.copy()
        data["website"] = ""
        if refusal.code == "stale":
            data["started"] = started_token(time.time() - settings.ACCUEIL_FORM_MIN_SECONDS)
        form = ContactForm(data)
        form.is_valid()
        return _render(request, form=form, language=language, mds=mds, refusal=refusal, status=refusal.status)
    if not form.is_valid():
        return _render(request, form=form, language=language, mds=mds)
    data = form.cleaned_data
    if submission.rate_limited(address=client_ip(request), phone=data["phone"], email=data["email"]):
        refusal = submission.REFUSALS["rate_limited"]
        return _render(request, form=form, language=language, mds=mds, refusal=refusal, status=refusal.status)
    contact_request = submission.request_submit(
        mds=data["mds"], site=_portal_site(request.POST.get("site", ""), data["mds"]), kind=data["kind"],
        topic=data["topic"], first_name=data["first_name"], last_name=data["last_name"], phone=data["phone"],
        email=data["email"], message=data["message"], commune=data["commune"],
        callback_channels=data["callback_channels"], callback_windows=data["callback_windows"],
        interpreter_language=data["interpreter_language"], accessibility_needs=data["accessibility_needs"],
        language=language, notice_acknowledged_at=timezone.now(),
    )  # fmt: skip
    token = signing.dumps(contact_request.pk, salt=SENT_SALT)
    sent_url = reverse("accueil_public:sent", kwargs={"token": token})
    return HttpResponseRedirect(f"{sent_url}?{urlencode({'lang': language})}")


@never_cache
@require_http_methods(["GET"])
@in_public_language
def sent(request: HttpRequest, token: str, *, language: str) -> HttpResponse:
    try:
        pk = signing.loads(token, salt=SENT_SALT, max_age=SENT_MAX_AGE)
    except signing.BadSignature:
        raise Http404 from None
    contact_request = ContactRequest.objects.select_related("mds").filter(pk=pk, anonymised_at__isnull=True).first()
    if contact_request is None:
        raise Http404
    context = {
        "request_": contact_request,
        "language": language,
        "days": settings.ACCUEIL_ANSWER_WORKING_DAYS,
        "languages": [],
    }
    return render(request, "accueil/public/sent.html", context)
