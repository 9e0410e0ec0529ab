"""The online reception's records: the people who contact an MDS, their requests, and what is sent to them.

Appointments, motifs and opening slots live in their own module beside these (see accueil/README.md).
"""

from accueil.models.appointments import (
    Absence,
    Appointment,
    Attendance,
    BookableBy,
    BookedBy,
    CalendarFeedToken,
    LocationType,
    Motif,
    OneTimeCode,
    OpeningRule,
    Visibility,
)
from accueil.models.notifications import Notification
from accueil.models.people import Person
from accueil.models.replies import ReplyTemplate
from accueil.models.requests import (
    CallbackChannel,
    CallbackWindow,
    CommuneRouting,
    ContactRequest,
    RequestEvent,
    RequestKind,
    RequestSource,
    RequestStatus,
    Topic,
)

__all__ = [
    "Absence",
    "Appointment",
    "Attendance",
    "BookableBy",
    "BookedBy",
    "CalendarFeedToken",
    "CallbackChannel",
    "CallbackWindow",
    "CommuneRouting",
    "ContactRequest",
    "LocationType",
    "Motif",
    "Notification",
    "OneTimeCode",
    "OpeningRule",
    "Person",
    "ReplyTemplate",
    "RequestEvent",
    "RequestKind",
    "RequestSource",
    "RequestStatus",
    "Topic",
    "Visibility",
]
