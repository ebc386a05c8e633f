"""The strategy engine's frames."""


def test_a_column_null_in_the_first_hundred_rows_still_takes_its_values():
    """SQLite answers booleans as 0/1: a column that is null for the first 100+ cases (no
    snapshot yet) and 1 afterwards must type from every row, not refuse the 1 (the demo's
    3,000-loan book hit this)."""
    from unittest import mock

    import polars as pl

    from arrears.strategy import engine

    rows = [(i, None) for i in range(150)] + [(150, 1)]
    with mock.patch.object(engine, "_rows", return_value=rows):
        df = engine._frame("SELECT", [], {"case_id": pl.Int64, "time_barred": pl.Boolean})
    assert df["time_barred"].to_list()[-1] is True
    assert df["time_barred"].null_count() == 150
