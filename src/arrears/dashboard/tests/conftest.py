from arrears.reports.tests.conftest import book  # noqa: F401  (the hand-made book)
