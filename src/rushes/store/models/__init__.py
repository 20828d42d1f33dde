"""SQLAlchemy models, one module per part of the film (`m.Scene` reads the same whichever holds it).

Artifacts are append-only versions: an edit adds a row, never rewrites one. Importing this package
registers every one of these tables on `Base.metadata` (the review-room tables live in room_models).
"""

from rushes.store.models.base import Base, Created, utcnow
from rushes.store.models.people import (
    Account,
    AuthToken,
    Invitation,
    Membership,
    ShareLink,
    SignInThrottle,
    User,
)
from rushes.store.models.review import NoteReply, NoteRoute, Notification, QcFinding, ReviewIssue
from rushes.store.models.stage import (
    Clip,
    Frame,
    Project,
    PromptSet,
    Scene,
    SceneSummary,
    Shot,
    ShotVersion,
    StageLock,
    VisualElement,
    VisualStateVersion,
)
from rushes.store.models.work import LedgerEntry, ProviderQuota, RenderJob, Take, TakeSlot, WorkerHeartbeat

__all__ = [
    "Account", "AuthToken", "Base", "Clip", "Created", "Frame", "Invitation", "LedgerEntry", "Membership",
    "NoteReply", "NoteRoute", "Notification", "Project", "PromptSet", "ProviderQuota", "QcFinding", "RenderJob",
    "ReviewIssue", "Scene", "SceneSummary", "ShareLink", "Shot", "ShotVersion", "SignInThrottle", "StageLock",
    "Take", "TakeSlot", "User", "VisualElement", "VisualStateVersion", "WorkerHeartbeat", "utcnow",
]
