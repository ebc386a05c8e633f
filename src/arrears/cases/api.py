"""/api/v1/ endpoints of the cases app (mounted in api/router.py)."""

from ninja import Router

router = Router(tags=["cases"])
