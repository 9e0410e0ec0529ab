"""The FEDER dashboard, /backoffice/funding/: the operation sheet's figures from funding.figures, in French format,
for département-wide roles only."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from funding.models import ClaimStatus
from sites.roles import Role
from tests.factories import MdsFactory, agent_with_role
from tests.funding.factories import ClaimedInvoiceFactory, InvoiceFactory, PaymentClaimFactory

pytestmark = pytest.mark.django_db
URL = "/backoffice/funding/"
NBSP = "\u00a0"


def _figure(html: str, name: str) -> str:
    start = html.index(f'data-figure="{name}">') + len(f'data-figure="{name}">')
    return html[start : html.index("</dd>", start)]


def _row(html: str, line: str) -> str:
    start = html.index(f'<tr data-line="{line}">')
    return html[start : html.index("</tr>", start)]


def test_the_dashboard_is_at_backoffice_funding_and_in_the_menu(operation, signed_in):
    client = signed_in(agent_with_role(Role.FINANCE))
    response = client.get(reverse("funding_dashboard:dashboard"))
    assert reverse("funding_dashboard:dashboard") == URL
    html = response.content.decode()
    assert f'href="{URL}" aria-current="page">Financement FEDER</a>' in html  # the back-office menu's entry
    assert "Taux d’avancement (réalisé)" in html or "Taux d'avancement (réalisé)" in html


def test_the_seed_figures_to_the_cent_in_french_format(operation, signed_in):
    """Planned 260 510,16 €, FEDER 182 357,11 €, self-financing 78 153,05 €, every progress rate 0."""
    html = signed_in(agent_with_role(Role.PROGRAMME)).get(URL).content.decode()
    assert _figure(html, "planned") == f"260{NBSP}510,16{NBSP}€"
    assert _figure(html, "feder-approved") == f"182{NBSP}357,11{NBSP}€"
    assert _figure(html, "feder-remaining") == f"182{NBSP}357,11{NBSP}€"
    for name in ("realised", "retained", "feder-due", "feder-received", "balance"):
        assert _figure(html, name) == f"0,00{NBSP}€", name
    assert _figure(html, "realised-progress") == _figure(html, "retained-progress") == f"0,00{NBSP}%"
    line1, line2, total = _row(html, "1"), _row(html, "2"), _row(html, "total")
    assert f"49{NBSP}200,00{NBSP}€" in line1
    assert f"211{NBSP}310,16{NBSP}€" in line2
    assert f"260{NBSP}510,16{NBSP}€" in total
    assert line1.count(f"0,00{NBSP}%") == 2


def test_self_financing_is_on_the_operation_page_to_the_cent(operation, signed_in):
    html = signed_in(agent_with_role(Role.FINANCE)).get(reverse("funding_dashboard:operation")).content.decode()
    assert f"78{NBSP}153,05{NBSP}€" in html


def test_a_claim_shows_its_realised_retained_progress_and_feder_due(operation, signed_in):
    """49 200 € presented on line 1, 48 000 € retained: 100,00 % and 97,56 % on the line, FEDER due 33 600 €."""
    claim = PaymentClaimFactory(operation=operation, status=ClaimStatus.INSTRUCTED)
    invoice = InvoiceFactory(expense_line=operation.lines.get(number=1), amount_excl_vat=Decimal("49200.00"))
    ClaimedInvoiceFactory(claim=claim, invoice=invoice, retained_amount=Decimal("48000.00"),
                          cut_kind="missing_proof", cut_reason="Attestation")  # fmt: skip
    html = signed_in(agent_with_role(Role.FINANCE)).get(URL).content.decode()
    line1 = _row(html, "1")
    assert f"100,00{NBSP}%" in line1 and f"97,56{NBSP}%" in line1
    assert f"48{NBSP}000,00{NBSP}€" in line1
    assert _figure(html, "feder-due") == f"33{NBSP}600,00{NBSP}€"
    assert _figure(html, "balance") == f"33{NBSP}600,00{NBSP}€"
    assert _figure(html, "realised-progress") == f"18,89{NBSP}%"


def test_paid_expense_not_yet_claimed_is_weighed_against_the_interim_claim_threshold(operation, signed_in, settings):
    settings.FUNDING_INTERIM_CLAIM_THRESHOLD = Decimal("10000.00")
    InvoiceFactory(amount_excl_vat=Decimal("9999.99"))
    client = signed_in(agent_with_role(Role.FINANCE))
    html = client.get(URL).content.decode()
    assert f"9{NBSP}999,99{NBSP}€</strong>" in html
    assert "Sous le seuil." in html
    InvoiceFactory(amount_excl_vat=Decimal("0.01"))
    html = client.get(URL).content.decode()
    assert f"10{NBSP}000,00{NBSP}€</strong>" in html
    assert "Le seuil est atteint" in html


def test_the_charts_are_server_drawn_svg_with_a_title_and_a_description(operation, signed_in):
    html = signed_in(agent_with_role(Role.FINANCE)).get(URL).content.decode()
    assert html.count('role="img"') >= 2
    assert 'aria-labelledby="funding-amounts-title funding-amounts-desc"' in html
    assert '<desc id="funding-amounts-desc">' in html
    assert f"Prévu{NBSP}: 260{NBSP}510,16{NBSP}€" in html  # each bar says what it is, not only by colour
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_dashboards_query_count_is_pinned(operation, signed_in, django_assert_num_queries):
    """The operation and its plan (3), the figures (7), the indicators (12), the durability (1) and publicity (3)
    panels, the session, the agent and the menu: the same whatever the number of invoices."""
    client = signed_in(agent_with_role(Role.FINANCE))
    client.get(URL)
    with django_assert_num_queries(32):
        assert client.get(URL).status_code == 200
    for _n in range(5):
        InvoiceFactory()
    with django_assert_num_queries(32):
        assert client.get(URL).status_code == 200


@pytest.mark.parametrize("role", [Role.MDS_MANAGER, Role.RECEPTION, Role.SOCIAL_WORKER, Role.MEDIATOR, Role.OPS])
def test_agents_without_a_funding_role_get_403(operation, signed_in, role):
    mds = MdsFactory()
    agent = agent_with_role(role, mds if role != Role.OPS else None)
    assert signed_in(agent).get(URL).status_code == 403


def test_an_agent_of_one_mds_gets_403_even_with_the_permission_given_by_hand(operation, signed_in):
    """Funding data is the whole département's: the page checks the département-wide role, not only the permission."""
    agent = agent_with_role(Role.MDS_MANAGER, MdsFactory())
    agent.user_permissions.add(Permission.objects.get(codename="view_operation", content_type__app_label="funding"))
    assert agent.has_perm("funding.view_operation")
    assert signed_in(agent).get(URL).status_code == 403


def test_without_an_operation_the_page_says_how_to_load_it(signed_in):
    response = signed_in(agent_with_role(Role.FINANCE)).get(URL)
    assert response.status_code == 200
    assert "load_feder_operation" in response.content.decode()


def test_the_dashboard_tells_the_warnings_to_acknowledge_and_the_publicity_obligations_met(operation, signed_in):
    """The assets and publicity areas' panels: « 1 alerte à prendre en compte », « Obligations respectées : 0 sur 4 »
    (the poster in every MDS is not met while no MDS is loaded)."""
    from django.utils import timezone

    from funding.models import Asset, DurabilityWarning, ItemKind
    from tests.funding.factories import InvoiceLineFactory

    html = signed_in(agent_with_role(Role.FINANCE)).get(URL).content.decode()
    assert "Aucune alerte à prendre en compte." in html
    assert "0 sur 4" in html
    asset = Asset.objects.create(invoice_line=InvoiceLineFactory(), kind=ItemKind.SERVER, label="Serveur du portail")
    DurabilityWarning.objects.create(asset=asset, event="retired", detail="Retiré", occurred_at=timezone.now())
    html = signed_in(agent_with_role(Role.FINANCE)).get(URL).content.decode()
    assert "1 alerte à prendre en compte\u00a0: un bien financé a été retiré ou déplacé." in html
