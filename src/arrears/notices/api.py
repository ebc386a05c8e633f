"""/api/v1/ endpoints of the notices app (mounted in api/router.py)."""

from ninja import Router

router = Router(tags=["notices"])
