"""The service's contract: a pydantic model for every request and answer.

Every request model forbids unknown fields and is strict (a string is not
silently turned into a number), so a client bug gets a 422 that names the
field instead of a wrong answer. The impression fields are those of the
simulated click log of lessons 11-12. Introduced in lesson 22.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

MAX_K = 100
MAX_BATCH = 10_000
ID_PATTERN = r"^[A-Za-z0-9_.:\-]+$"

Identifier = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=ID_PATTERN)]
Level = Annotated[str, StringConstraints(min_length=1, max_length=64)]

_REQUEST = ConfigDict(extra="forbid", strict=True)


class Impression(BaseModel):
    """One ad impression to score: the fields of the simulated click log (lesson 11)."""

    model_config = _REQUEST

    user_segment: Level
    age_band: Level
    device: Level
    site: Level
    hour: int = Field(ge=0, le=23)
    ad_category: Level
    creative: Level
    slot: int = Field(ge=1, le=4)
    ad_quality: float = Field(ge=0.0, le=1.0)
    user_visits_30d: int = Field(ge=0, le=100_000)


IMPRESSION_FIELDS = tuple(Impression.model_fields)


class ScoreRequest(BaseModel):
    """A batch of impressions for one customer's page view, to score at once."""

    model_config = _REQUEST

    customer_id: Identifier
    impressions: list[Impression] = Field(min_length=1, max_length=MAX_BATCH)


class FeedbackRequest(BaseModel):
    """One outcome to log: an impression shown, a click, or a purchase (with its value)."""

    model_config = _REQUEST

    customer_id: Identifier
    event: Literal["impression", "click", "purchase"]
    item_id: Identifier
    value: float = Field(default=0.0, ge=0.0, le=1_000_000.0)
    event_id: Identifier | None = None


class RecommendedItem(BaseModel):
    """One recommended item with its score and rank (1 = first)."""

    item_id: str
    score: float
    rank: int


class RecommendResponse(BaseModel):
    """Top-k items for a customer, the variant that chose them and whether the fallback answered."""

    customer_id: str
    variant: str
    model: str
    fallback: str | None
    items: list[RecommendedItem]


class ScoreResponse(BaseModel):
    """Click probabilities, one per impression in the order sent."""

    customer_id: str
    variant: str
    model: str
    probabilities: list[float]


class FeedbackResponse(BaseModel):
    """The stored event's row id, whether it was new (False: a repeated event_id), and the variant."""

    id: int
    stored: bool
    variant: str


class HealthResponse(BaseModel):
    """Service status, the loaded models (name, lesson, sha256) and the event count."""

    status: str
    variants: list[str]
    models: dict[str, dict]
    events: int


def impression_records(log) -> list[dict]:
    """Give the rows of an impression frame as JSON-ready dicts with the :class:`Impression` fields.

    Categories become strings and numpy numbers Python ones, so the result
    can be sent as the ``impressions`` of a ``/score`` request. Introduced in lesson 22.
    """
    import pandas as pd

    from ..validation import require_frame

    require_frame(log, list(IMPRESSION_FIELDS), "log")
    frame = pd.DataFrame({f: log[f].to_numpy(dtype=object) for f in IMPRESSION_FIELDS})
    records = frame.to_dict("records")
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()} for row in records]
