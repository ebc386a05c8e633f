"""/api/v1/ endpoints of the plans app (mounted in api/router.py)."""

from ninja import Router

router = Router(tags=["plans"])
