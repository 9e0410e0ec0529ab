"""The operation as approved, /backoffice/funding/operation/, and the amendment form (funding.add_amendment)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from funding.models import Amendment, Financer
from sites.roles import Role
from tests.factories import agent_with_role

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"
URL = reverse("funding_dashboard:operation")
FORM = reverse("funding_dashboard:amendment_create")


def _amendment_data(**changes) -> dict:
    data = {"signed_on": "2022-06-30", "reason": "Avenant n° 1 : redéploiement entre postes",
            "line_1": "40 000,00", "line_2": "220 510,16", "rate_feder": "70,00", "rate_self": "30,00"}  # fmt: skip
    return data | changes


def test_the_operation_page_shows_the_operation_as_approved(operation, signed_in):
    html = signed_in(agent_with_role(Role.PROGRAMME)).get(URL).content.decode()
    for text in ("AP02-OT02-PI02c-OS2c", "AP-2019-FEDER-PI2c", "26 mars 2021", "du 1 octobre 2019 au 1 octobre 2022",
                 "Montants hors taxes (HT)", "Direct, dépense d’investissement", "Aucune avance demandée",
                 "Favorable", "note 15/20",
                 "Programme Opérationnel FEDER-FSE Provence-Alpes-Côte d&#x27;Azur 2014-2020"):  # fmt: skip
        assert text in html, text
    assert f"49{NBSP}200,00{NBSP}€" in html and f"211{NBSP}310,16{NBSP}€" in html
    assert f'data-figure="total-planned">260{NBSP}510,16{NBSP}€' in html


def test_the_platforms_shares_agree_with_the_approved_ones_to_the_cent(operation, signed_in):
    html = signed_in(agent_with_role(Role.FINANCE)).get(URL).content.decode()
    feder = html[html.index('data-financer="feder"') : html.index("</tr>", html.index('data-financer="feder"'))]
    own = html[html.index('data-financer="self"') : html.index("</tr>", html.index('data-financer="self"'))]
    assert feder.count(f"182{NBSP}357,11{NBSP}€") == 2 and f"70,00{NBSP}%" in feder
    assert own.count(f"78{NBSP}153,05{NBSP}€") == 2 and f"30,00{NBSP}%" in own
    assert html.count("Concorde au centime") == 2


def test_a_share_that_differs_from_the_approved_amount_is_flagged(operation, signed_in):
    Financer.objects.filter(operation=operation, kind="feder").update(approved_amount=Decimal("182357.12"))
    html = signed_in(agent_with_role(Role.FINANCE)).get(URL).content.decode()
    assert "Écart" in html


def test_finance_records_an_amendment_and_the_plan_and_history_change(operation, signed_in):
    finance = agent_with_role(Role.FINANCE, first_name="Inès", last_name="Comptable")
    client = signed_in(finance)
    response = client.post(FORM, _amendment_data(rate_feder="60,00", rate_self="40,00"))
    assert response.status_code == 302 and response["Location"] == URL
    operation.refresh_from_db()
    assert {line.number: line.planned_amount for line in operation.lines.all()} == {
        1: Decimal("40000.00"), 2: Decimal("220510.16")}  # fmt: skip
    shares = {f.kind: (f.rate, f.approved_amount) for f in operation.financers.all()}
    assert shares == {"feder": (Decimal("60.00"), Decimal("156306.10")),
                      "self": (Decimal("40.00"), Decimal("104204.06"))}  # fmt: skip
    amendment = Amendment.objects.get(operation=operation)
    assert (amendment.number, amendment.recorded_by) == (1, finance)
    assert amendment.before["lines"] == {"1": "49200.00", "2": "211310.16"}
    assert amendment.after["financers"]["feder"] == {"rate": "60.00", "amount": "156306.10"}
    html = client.get(URL).content.decode()
    assert "Avenant n°\u00a01 du\u00a030 juin 2022" in html
    assert "redéploiement entre postes" in html
    history = html[html.index('data-amendment="1"') :]
    assert f"49{NBSP}200,00{NBSP}€" in history and f"40{NBSP}000,00{NBSP}€" in history
    assert f"70,00{NBSP}% — 182{NBSP}357,11{NBSP}€" in history and f"60,00{NBSP}% — 156{NBSP}306,10{NBSP}€" in history
    assert "Inès Comptable" in history
    dashboard = client.get(reverse("funding_dashboard:dashboard")).content.decode()
    assert f'data-figure="feder-approved">156{NBSP}306,10{NBSP}€' in dashboard


def test_rates_that_do_not_sum_to_100_are_refused_and_nothing_changes(operation, signed_in):
    client = signed_in(agent_with_role(Role.FINANCE))
    response = client.post(FORM, _amendment_data(rate_feder="75,00"))
    assert response.status_code == 200
    assert "Les taux doivent totaliser 100" in response.content.decode()
    assert not Amendment.objects.exists()
    assert operation.lines.get(number=1).planned_amount == Decimal("49200.00")


def test_an_amendment_needs_a_reason(operation, signed_in):
    response = signed_in(agent_with_role(Role.FINANCE)).post(FORM, _amendment_data(reason="   "))
    assert response.status_code == 200
    assert not Amendment.objects.exists()


@pytest.mark.parametrize("role", [Role.PROGRAMME])
def test_only_finance_records_an_amendment(operation, signed_in, role):
    """Programme staff read the operation but do not change its plan (funding.add_amendment)."""
    client = signed_in(agent_with_role(role))
    assert client.get(URL).status_code == 200
    assert "Enregistrer un avenant" not in client.get(URL).content.decode()
    assert client.get(FORM).status_code == 403
    assert client.post(FORM, _amendment_data()).status_code == 403
    assert not Amendment.objects.exists()


def test_the_operation_pages_query_count_is_pinned(operation, signed_in, django_assert_num_queries):
    client = signed_in(agent_with_role(Role.FINANCE))
    client.post(FORM, _amendment_data())
    client.post(FORM, _amendment_data(line_1="45 000,00"))
    client.get(URL)
    with django_assert_num_queries(10):
        assert client.get(URL).status_code == 200
