"""The Lists page's numbers."""

from __future__ import annotations

from lib import access, lists
from tests import factories


def test_the_lists_line_counts_lists_rows_and_people(fresh_db):
    full = access.FULL_ACCESS
    assert lists.totals_text(lists.overview(fresh_db, viewer=full), 0) == (
        "0 lists · 0 rows · 0 people")
    first, second = factories.new_list(fresh_db), factories.new_list(fresh_db)
    for list_id in (first, first, second):
        factories.person(fresh_db, list_id)
    factories.add_to_list(fresh_db, second, factories.person(fresh_db, first))
    people = lists.people_on_lists(fresh_db, viewer=full)
    assert people == 4
    assert lists.totals_text(lists.overview(fresh_db, viewer=full), people) == (
        "2 lists · 5 rows · 4 people")
