"""What the next step hangs the person's messages on (mediation cannot use the reception's outbox: same layer).

`registration_changed` is sent inside the write's transaction, once per change that concerns the person —
"confirmed", "waiting", "offered" (a seat freed up: accept before `offer_expires_at`), "cancelled", "expired".
A receiver that writes an outbox row there commits it with the change or not at all, so a message is never lost
nor sent for a change rolled back: mediation.messages queues the confirmations, offers and the day-before
reminders that way (connected in mediation.apps).
"""

from django.dispatch import Signal

registration_changed = Signal()  # sender: Registration; kwargs: registration, event
