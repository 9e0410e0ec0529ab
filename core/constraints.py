"""Database constraints that speak to the person filling a form.

Every CheckConstraint and UniqueConstraint carries its own translated `violation_error_message`, and its name
as `violation_error_code`. Django reports a violated constraint as an error of the whole form; a model that
says which field a constraint is about (`constraint_error_fields`, constraint name -> field) has the message
shown once, next to that field, when the form has it.
"""

from typing import ClassVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class ConstraintErrorsOnFields:
    constraint_error_fields: ClassVar[dict[str, str]] = {}

    def validate_constraints(self, exclude: object = None) -> None:
        try:
            super().validate_constraints(exclude=exclude)  # type: ignore[misc]
        except ValidationError as exc:
            errors: dict[str, list[ValidationError]] = {}
            for field, messages in exc.error_dict.items():
                for error in messages:
                    target = self.constraint_error_fields.get(error.code or "", field)
                    if field != NON_FIELD_ERRORS or (exclude and target in exclude):  # type: ignore[operator]
                        target = field
                    errors.setdefault(target, []).append(error)
            raise ValidationError(errors) from None
