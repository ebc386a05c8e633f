"""/api/v1/ endpoints of the documents app (mounted in api/router.py)."""

from ninja import Router

router = Router(tags=["documents"])
