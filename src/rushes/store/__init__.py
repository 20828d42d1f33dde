"""The storage layer. Importing it registers every table on `models.Base` (the room tables live apart)."""

from rushes.store import models, room_models  # noqa: F401
