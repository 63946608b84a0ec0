"""Who may decide a recommendation: its owner, the backup (delegate), or someone on the
escalation chain deciding on the owner's behalf. Nobody else."""

from __future__ import annotations

from core.config import Config
from core.domain import Role
from storage.models import Recommendation
from workflows.routing import escalation_contacts


def role_of(*, config: Config, rec: Recommendation, person_id: str) -> Role | None:
    if person_id == rec.owner_id:
        return Role.OWNER
    if rec.backup_id and person_id == rec.backup_id:
        return Role.BACKUP
    contacts = escalation_contacts(config=config, type_name=rec.type, owner_id=rec.owner_id)
    if person_id in contacts:
        return Role.ESCALATION
    return None


def deciders(*, config: Config, rec: Recommendation) -> list[str]:
    """Everyone who may decide, owner first: the people a reassign list or a queue uses."""
    people = [rec.owner_id]
    if rec.backup_id:
        people.append(rec.backup_id)
    people += escalation_contacts(config=config, type_name=rec.type, owner_id=rec.owner_id)
    return list(dict.fromkeys(people))
