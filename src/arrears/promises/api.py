"""/api/v1/ endpoints of the promises app (mounted in api/router.py)."""

from ninja import Router

router = Router(tags=["promises"])
