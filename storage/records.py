"""Domain records returned by the repositories: plain frozen dataclasses, no ORM state attached."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Chat:
    id: int
    title: str
    type: str
    language: str
    timezone: str | None
    city: str | None
    active: bool
    created_at: datetime
    updated_at: datetime

    @property
    def label(self) -> str:
        """The name used in attribution: the city label, else the group title."""
        return self.city or self.title or str(self.id)
