"""Forms of the back-office: sign-in, second factor, MDS, sites and zones."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AdminUserCreationForm, AuthenticationForm, UserChangeForm
from django.template import loader
from django.utils.translation import gettext_lazy as _

from core.forms import LaidOutInlineFormSet
from sites.grants import grantable_roles, managed_mds_ids
from sites.models import Agent, Mds, OpeningPeriod, Privilege, Site, Zone
from sites.notifications import email_send_after_commit
from sites.roles import DEPARTEMENT_WIDE_ROLES, PER_MDS_ROLES, Role
from sites.two_factor import ThrottledError, second_factor_verify


class LoginForm(AuthenticationForm):
    """Django's sign-in form; the field stays `username` (django-axes reads it) but holds the email."""

    username = forms.CharField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong email address or password. The password is case-sensitive."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class TokenForm(forms.Form):
    """The 6-digit code of the agent's authenticator app, checked against one TOTP device."""

    otp_token = forms.CharField(
        label=_("6-digit code"),
        help_text=_("The code shown by your authenticator app right now."),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
                "spellcheck": "false",
                "class": "otp-input",
            }
        ),
    )

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_otp_token(self):
        token = "".join(self.cleaned_data["otp_token"].split())
        if not (token.isdigit() and len(token) == 6):
            raise forms.ValidationError(_("Enter the 6 digits shown by your app, without letters."), code="format")
        allowed, _info = self.device.verify_is_allowed()
        if not allowed:
            # django-otp throttles after a wrong code (1 s, then doubling): say so instead of "wrong code".
            raise forms.ValidationError(
                _("Too many wrong codes in a row. Wait a few seconds, then enter the code your app shows."),
                code="throttled",
            )
        if not self.device.verify_token(token):
            raise forms.ValidationError(
                _("This code is not valid. Check your phone's time and enter the current code."), code="invalid"
            )
        return token


class SecondFactorForm(forms.Form):
    """The current second factor of an agent: a code of their authenticator app, or one of their backup codes."""

    otp_token = forms.CharField(
        label=_("Code"),
        help_text=_("The 6-digit code shown by your authenticator app, or one of your backup codes."),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false", "class": "otp-input"}
        ),
    )

    def __init__(self, *args, agent, **kwargs):
        super().__init__(*args, **kwargs)
        self.agent = agent
        self.device = None
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_otp_token(self):
        token = "".join(self.cleaned_data["otp_token"].split())
        if not token.isalnum() or len(token) not in (6, 8):
            raise forms.ValidationError(
                _("Enter the 6 digits shown by your app, or a backup code of 8 characters."), code="format"
            )
        try:
            self.device = second_factor_verify(agent=self.agent, token=token)
        except ThrottledError:
            raise forms.ValidationError(
                _("Too many wrong codes in a row. Wait a few seconds, then enter the code your app shows."),
                code="throttled",
            ) from None
        if self.device is None:
            raise forms.ValidationError(
                _("This code is not valid. Check your phone's time and enter the current code."), code="invalid"
            )
        return token


class PrivilegeRequestForm(forms.Form):
    """An administrator asks for another agent to receive a privilege (a second administrator decides)."""

    agent = forms.ModelChoiceField(label=_("Agent"), queryset=Agent.objects.none())
    privilege = forms.ChoiceField(label=_("Privilege"), choices=Privilege.choices)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The decision or ticket behind the request: the second administrator reads it."),
    )

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = Agent.objects.filter(is_active=True).exclude(pk=by.pk)
        self.helper = FormHelper()
        self.helper.form_tag = False


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class DashboardFilterForm(forms.Form):
    """The dashboard's filters (GET). Choices depend on what the agent sees and may fill in: the view sets
    them after the selector has read them; values are plain strings that the selector checks against them."""

    mds = forms.CharField(label=_("MDS"), required=False)
    missing = forms.CharField(label=_("Missing information"), required=False)

    def set_choices(self, *, mds: list[tuple[str, str]], missing: list[tuple[str, str]]) -> None:
        self.fields["mds"].widget = forms.Select(choices=[("", _("All MDS")), *mds])
        self.fields["missing"].widget = forms.Select(choices=[("", _("Anything missing")), *missing])
        self.show_mds = len(mds) > 1


class MdsForm(forms.ModelForm):
    class Meta:
        model = Mds
        fields = ["kind", "commune", "phone", "email", "services"]
        widgets = {"services": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class OpeningPeriodForm(forms.ModelForm):
    class Meta:
        model = OpeningPeriod
        fields = ["weekday", "opens", "closes"]
        widgets = {
            "opens": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "closes": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.set_layout()

    def set_layout(self):
        columns = [
            Column("weekday", css_class="col-12 col-sm-4"),
            Column("opens", css_class="col-6 col-sm-3"),
            Column("closes", css_class="col-6 col-sm-3"),
        ]
        if "DELETE" in self.fields:
            columns.append(Column("DELETE", css_class="col-12 col-sm-2 align-self-center"))
        self.helper.layout = Layout(Row(*columns))


OpeningPeriodFormSet = forms.inlineformset_factory(
    Mds,
    OpeningPeriod,
    form=OpeningPeriodForm,
    formset=LaidOutInlineFormSet,
    extra=1,
    can_delete=True,
    max_num=30,
    validate_max=True,
)


class SiteForm(forms.ModelForm):
    class Meta:
        model = Site
        fields = ["name", "street", "postal_code", "commune", "latitude", "longitude", "access_notes"]
        widgets = {
            "street": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "latitude": forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
            "longitude": forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
            "access_notes": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "latitude": _("Decimal degrees, e.g. 43.296482."),
            "longitude": _("Decimal degrees, e.g. 5.369780."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class ZoneForm(forms.ModelForm):
    """A zone of one site; the view sets `instance.site` before validation."""

    class Meta:
        model = Zone
        fields = ["kind", "name", "floor", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class AgentCreationForm(AdminUserCreationForm):
    """The admin's "add agent" form: the email is the login."""

    class Meta(AdminUserCreationForm.Meta):
        model = Agent
        fields = ("email",)


class AgentChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = Agent
        fields = "__all__"


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, but the email leaves through the Celery worker after commit."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):  # fmt: skip
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html_body = loader.render_to_string(html_email_template_name, context) if html_email_template_name else None
        email_send_after_commit(subject=subject, body=body, to=[to_email], html_body=html_body)


# --- Agents and memberships -----------------------------------------------------------------------


class _RoleChoiceForm(forms.Form):
    """A role and, for per-MDS roles, an MDS, limited to what the signed-in agent (`actor`) may give."""

    role = forms.ChoiceField(label=_("Role"))
    mds = forms.ModelChoiceField(label=_("MDS"), queryset=Mds.objects.none(), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        roles = grantable_roles(actor)
        self.fields["role"].choices = [("", "---------")] + [(r.value, r.label) for r in roles]
        managed = managed_mds_ids(actor)
        mds = Mds.objects.visible_to(actor)
        self.fields["mds"].queryset = mds if managed is None else mds.filter(pk__in=managed)
        if managed and len(managed) == 1 and not self.is_bound:
            self.initial.setdefault("mds", next(iter(managed)))  # a manager of one MDS: theirs
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = super().clean()
        role, mds = cleaned.get("role"), cleaned.get("mds")
        if not role:
            return cleaned
        if Role(role) in PER_MDS_ROLES and mds is None:
            self.add_error("mds", forms.ValidationError(_("Choose the MDS where this role is held."), code="required"))
        elif Role(role) in DEPARTEMENT_WIDE_ROLES:
            cleaned["mds"] = None  # a département-wide role takes no MDS, whatever was chosen
        return cleaned


class AgentInviteForm(_RoleChoiceForm):
    field_order = ["email", "first_name", "last_name", "role", "mds"]  # who first, then what they may do

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"))
    mds = forms.ModelChoiceField(
        label=_("MDS"),
        queryset=Mds.objects.none(),
        required=False,
        help_text=_("Required for reception, social work, mediation and manager roles; empty for the others."),
    )


class MembershipGrantForm(_RoleChoiceForm):
    """One more role for an agent: the role and, for a per-MDS role, its MDS."""


class AgentForm(forms.ModelForm):
    """An agent's name and email; roles and status have their own actions."""

    class Meta:
        model = Agent
        fields = ["first_name", "last_name", "email"]
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = self.fields["last_name"].required = True
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_email(self):
        # Said in the person's words before the database constraint (on the lower-cased address) would.
        email = self.cleaned_data["email"].strip().lower()
        if Agent.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("An agent already has this email address."), code="unique")
        return email
