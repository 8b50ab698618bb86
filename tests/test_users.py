"""Users as the pickers offer them: who can own rows and leads, whose leads a page shows."""

from __future__ import annotations

from lib import users
from tests import factories


def test_owners_are_the_active_reps_managers_and_admins_by_name(fresh_db):
    ben = factories.user(fresh_db, "Ben", "manager")
    anna = factories.user(fresh_db, "Anna", "rep")
    factories.user(fresh_db, "Olga", "ops")
    gone = factories.user(fresh_db, "Gerd", "rep")
    fresh_db.execute("UPDATE users SET active = false WHERE id = ?", [gone])
    assert users.owner_names(fresh_db) == {anna: "Anna", ben: "Ben"}
    assert list(users.owner_names(fresh_db)) == [anna, ben]


def test_the_owner_filter_puts_me_first_and_the_whole_team_last(fresh_db):
    ben = factories.user(fresh_db, "Ben", "manager")
    anna = factories.user(fresh_db, "Anna", "rep")
    me = users.get(fresh_db, ben)
    assert me.label == "Ben (manager)"
    assert users.owner_filter_choices(users.owner_names(fresh_db), me) == {
        ben: "Me (Ben)", anna: "Anna", "team": "Whole team"}
    ops = users.get(fresh_db, factories.user(fresh_db, "Olga", "ops"))
    assert list(users.owner_filter_choices(users.owner_names(fresh_db), ops)) == [
        ops.id, anna, ben, "team"]
