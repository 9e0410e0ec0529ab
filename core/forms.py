"""What the forms share: the public forms (contact, booking, workshop registration) and back-office formsets."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class DescribedForm(forms.Form):
    """A public form whose template ties each input to its help text and its errors (the fields are rendered
    one by one by the app's public field template: accueil/public/field.html and group.html,
    mediation/public/field.html)."""

    CHOICE_GROUPS: tuple[str, ...] = ()

    def describe(self) -> None:
        """Tie each input to its help text and its errors (aria-describedby, aria-invalid); a group of radios or
        boxes gets them on its <fieldset> (the template reads `described_by`)."""
        for name, field in self.fields.items():
            bound = self[name]
            ids = [f"{bound.auto_id}-help"] if field.help_text else []
            if bound.errors:
                ids.append(f"{bound.auto_id}-error")
            setattr(bound, "described_by", " ".join(ids))  # noqa: B010 (read by the template, not a BoundField attribute)
            if name in self.CHOICE_GROUPS:
                continue
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)
            if bound.errors:
                field.widget.attrs["aria-invalid"] = "true"


class LaidOutInlineFormSet(forms.BaseInlineFormSet):
    """Rows of a formset laid out on one line each (the form's `set_layout()`), with a « Remove » box.

    The formset adds its "delete" box after the form is built: the row is laid out again with it.
    """

    def add_fields(self, form: Any, index: int | None) -> None:  # a ModelForm with a `set_layout()`
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")
        form.set_layout()
