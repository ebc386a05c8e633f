"""The sections of the case page, contributed by the apps that own them.

The case page (cases/views.py) shows the case header and then every registered panel in
`order`. An app registers its panel in its AppConfig.ready():

    from arrears.cases.panels import CasePanel, register_case_panel
    register_case_panel(CasePanel("promises", "activities/_case_promises.html",
                                  promises_panel_context, order=30))

`context(request, case)` returns the dict the template sees (merged under the panel's key as
`panel`); it runs only after the view has checked that the user may see the case, and must
itself read through the user's scope and masking helpers. Returning None hides the panel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CasePanel:
    key: str
    template: str
    context: Callable[[Any, Any], dict | None]
    order: int = 100


_PANELS: dict[str, CasePanel] = {}


def register_case_panel(panel: CasePanel) -> None:
    _PANELS[panel.key] = panel


def case_panels() -> list[CasePanel]:
    return sorted(_PANELS.values(), key=lambda p: (p.order, p.key))
