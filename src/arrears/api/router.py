"""The REST API under /api/v1/: one NinjaAPI, one router module per app, mounted here.

Every endpoint needs a bearer token or a signed-in session (see api/auth.py) unless it
says `auth=None`; every error answers in the one shape of api/errors.py. OpenAPI at
/api/v1/openapi.json, interactive docs at /api/v1/docs (no CDN: api/docs.py).
"""

from ninja import NinjaAPI

from arrears.activities import api as activities_api
from arrears.agencies import api as agencies_api
from arrears.api import book, core, docs
from arrears.api.auth import API_AUTH
from arrears.api.errors import install_error_handlers
from arrears.cases import allocation_api, assignment_api
from arrears.cases import api as cases_api
from arrears.core import api as audit_api
from arrears.credithold import api as credithold_api
from arrears.documents import api as documents_api
from arrears.eod import api as eod_api
from arrears.field import api as field_api
from arrears.jobs import api as jobs_api
from arrears.notices import api as notices_api
from arrears.plans import api as plans_api
from arrears.promises import api as promises_api
from arrears.queues import api as queues_api
from arrears.reports import api as reports_api
from arrears.strategy import api as strategy_api
from arrears.writeoff import api as writeoff_api

api = NinjaAPI(
    title="Arrears API",
    version="1",
    description=(
        "The loan book of Arrears (贷后催收管理系统). Money is a decimal string of yuan with "
        'two places ("1234.56"), never a JSON number; dates are YYYY-MM-DD. Errors: '
        '{"errors": [{"code", "field", "message"}]}.'
    ),
    auth=API_AUTH,
    docs=docs.OfflineSwagger(),
    docs_decorator=docs.docs_access,
)
install_error_handlers(api)

api.add_router("/me", core.router)
api.add_router("/loans", book.loans)
api.add_router("/borrowers", book.borrowers)
api.add_router("/cases", cases_api.router)
api.add_router("/cases", assignment_api.router)
api.add_router("/cases", allocation_api.cases_router)
api.add_router("/allocation", allocation_api.router)
api.add_router("/cases", queues_api.colour)
api.add_router("/queues", queues_api.queues)
api.add_router("/activities", activities_api.router)
api.add_router("/promises", promises_api.router)
api.add_router("/plans", plans_api.router)
api.add_router("/writeoff", writeoff_api.router)
api.add_router("/documents", documents_api.router)
api.add_router("/notices", notices_api.router)
api.add_router("/visits", field_api.router)
api.add_router("/audit", audit_api.router)
api.add_router("/jobs", jobs_api.jobs)
api.add_router("/imports", jobs_api.uploads)
api.add_router("/exports", jobs_api.exports)
api.add_router("/predue", eod_api.predue)
api.add_router("/reports", reports_api.router)
api.add_router("/credit-hold", credithold_api.router)
api.add_router("/strategies", strategy_api.router)
api.add_router("/cases", strategy_api.cases)
api.add_router("/agencies", agencies_api.router)
api.add_router("/docs", docs.router)
