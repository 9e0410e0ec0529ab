"""What the public forms share (the contact form, self-booking, the workshops' registration)."""

from django import forms


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
