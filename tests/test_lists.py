"""The Lists page's numbers."""

from __future__ import annotations

from lib import access, lists
from tests import factories


def test_the_lists_line_counts_lists_and_rows(fresh_db):
    assert lists.totals_text(lists.overview(fresh_db,
                                            viewer=access.FULL_ACCESS)) == "0 lists · 0 rows"
    first, second = factories.new_list(fresh_db), factories.new_list(fresh_db)
    for list_id in (first, first, second):
        factories.person(fresh_db, list_id)
    assert lists.totals_text(lists.overview(fresh_db,
                                            viewer=access.FULL_ACCESS)) == "2 lists · 3 rows"
