"""The answer table drawn as HTML: whole cells, names as same-tab links, cards when narrow."""

from __future__ import annotations

import pandas as pd

from collabkg.explorer import table_html

LONG = (
    "Short-term funding meant that the partnership spent much of its time bidding for the "
    "next grant rather than delivering the service it was set up to deliver."
)


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Collaboration": [
                "collaborations?id=ckd%3Aa&label=Alpha+%26+Co",
                "collaborations?id=ckd%3Ab&label=Beta",
                "collaborations?id=ckd%3Ac&label=Gamma",
            ],
            "Quotation": [LONG, "<b>not markup</b>", ""],
            "Reports": [3, 1, 2],
        }
    )


def test_long_cells_are_shown_whole_and_escaped():
    drawn = table_html(_frame(), ["Collaboration"])
    assert LONG in drawn, "a long quotation is never cut"
    assert "<b>not markup</b>" not in drawn and "&lt;b&gt;not markup&lt;/b&gt;" in drawn


def test_names_link_to_profiles_in_the_same_tab_and_show_no_identifier_as_text():
    drawn = table_html(_frame(), ["Collaboration"])
    assert '<a href="collaborations?id=ckd%3Aa">Alpha &amp; Co</a>' in drawn
    assert "target=" not in drawn
    text_only = drawn.replace('href="collaborations?id=ckd%3Aa"', "")
    assert ">ckd:" not in text_only and "&label=" not in drawn


def test_every_cell_names_its_column_for_the_narrow_screen_card_view():
    drawn = table_html(_frame(), ["Collaboration"])
    for name in ("Collaboration", "Quotation", "Reports"):
        assert drawn.count(f'data-label="{name}"') == 3
    assert 'class="ck-num"' in drawn  # numbers align as numbers


def test_only_the_rows_asked_for_are_drawn():
    drawn = table_html(_frame(), ["Collaboration"], rows=2)
    assert "Alpha" in drawn and "Beta" in drawn and "Gamma" not in drawn


def test_row_by_row_cards_name_every_column_in_the_tables_order():
    from collabkg.explorer import rows_html

    drawn = rows_html(_frame(), ["Collaboration"])
    assert drawn.count('<p class="ck-row-title">') == 3, "one card per row, titled by its name"
    assert '<p class="ck-row-title"><a href="collaborations?id=ckd%3Aa">Alpha &amp; Co</a></p>' in (
        drawn
    )
    first, second, third = drawn.split('<p class="ck-row-title">')[1:]
    assert first.index("Quotation:") < first.index("Reports:"), "the table's column order"
    assert LONG in first and "&lt;b&gt;not markup&lt;/b&gt;" in second
    assert "Quotation:" not in third and "Reports:" in third, "an empty cell is left out"


def test_row_by_row_draws_only_the_rows_asked_for():
    from collabkg.explorer import rows_html

    drawn = rows_html(_frame(), ["Collaboration"], rows=1)
    assert "Alpha" in drawn and "Beta" not in drawn
