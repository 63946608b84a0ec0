"""The entity names sopbot knows, per kind: listed under `context.entities`, named in
the ownership matrix's routes, or seen on recommendations. An
interview answer must name one of them, spelt as they are spelt here."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config import Config
from core.domain import SCOPE_KEYS
from storage.models import Recommendation


def known_entities(session: Session, *, config: Config) -> dict[str, set[str]]:
    known = {kind: set(names) for kind, names in config.context.entities.items()}
    for rtype in config.recommendation_types.values():
        for route in rtype.routes:
            for kind, value in route.match.items():
                known.setdefault(kind, set()).add(value)
    for kind in SCOPE_KEYS:
        column = getattr(Recommendation, kind)
        values = session.scalars(select(column).where(column.is_not(None)).distinct().limit(500))
        known.setdefault(kind, set()).update(values)
    return known
