"""The authority table as first installed (a data migration loads it; admins edit it after).

(role, largest discount in basis points, longest term in months); None means no limit.
Phone collectors, field collectors and legal officers may agree a plan on their own only at
the full amount and over at most 6 months; a team lead may give up to 10% and 12 months; a
collection manager up to 30% and 24 months; an administrator is not limited. Agencies (委外)
have no row: everything an agency proposes waits for the lender's approval. Auditors propose
nothing.
"""

AUTHORITY_SEED: tuple[tuple[str, int | None, int | None], ...] = (
    ("collector", 0, 6),
    ("field_agent", 0, 6),
    ("legal", 0, 6),
    ("team_lead", 1000, 12),
    ("manager", 3000, 24),
    ("admin", None, None),
)
