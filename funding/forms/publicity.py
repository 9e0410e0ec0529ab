"""The upload of a photo as publicity evidence: the date it was taken, the MDS for a per-MDS obligation, the file."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funding.models import PublicityRequirement
from sites.models import Mds


class EvidenceForm(forms.Form):
    mds = forms.ModelChoiceField(label=_("MDS"), queryset=Mds.objects.none(), required=False)
    observed_on = forms.DateField(
        label=_("Date of the photo"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The day the poster or the page was seen as shown."),
    )  # fmt: skip
    photo = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG or PNG, 10 MB at most. Its metadata (place, device) is removed before it is filed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, requirement: PublicityRequirement, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("observed_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        if requirement.per_mds:
            self.fields["mds"].queryset = Mds.objects.order_by("number")  # type: ignore[attr-defined]
            self.fields["mds"].required = True
            self.fields["mds"].empty_label = _("Choose the MDS")  # type: ignore[attr-defined]
        else:
            del self.fields["mds"]
