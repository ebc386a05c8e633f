"""/api/v1/ endpoints of the activities app (mounted in api/router.py)."""

from ninja import Router

router = Router(tags=["activities"])
