"""The `arrears` console script: every Django management command plus ours.

`arrears import loans FILE`, `arrears demo`, `arrears user add …` are management
commands in the apps; this wrapper only points Django at our settings and makes sure
the var/ directory for the embedded SQLite database exists.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    execute_from_command_line(["arrears", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
