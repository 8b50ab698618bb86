"""Users as the pickers offer them: who can own rows and leads, whose leads a page shows."""

from __future__ import annotations

from lib import users
from tests import factories


def test_owners_are_the_active_reps_managers_and_admins_by_name(any_db):
    ben = factories.user(any_db, "Ben", "manager")
    anna = factories.user(any_db, "Anna", "rep")
    factories.user(any_db, "Olga", "ops")
    gone = factories.user(any_db, "Gerd", "rep")
    any_db.execute("UPDATE users SET active = false WHERE id = ?", [gone])
    assert users.owner_names(any_db) == {anna: "Anna", ben: "Ben"}
    assert list(users.owner_names(any_db)) == [anna, ben]


def test_the_owner_filter_puts_me_first_and_the_whole_team_last(any_db):
    ben = factories.user(any_db, "Ben", "manager")
    anna = factories.user(any_db, "Anna", "rep")
    me = users.get(any_db, ben)
    assert me.label == "Ben (manager)"
    assert users.owner_filter_choices(users.owner_names(any_db), me) == {
        ben: "Me (Ben)", anna: "Anna", "team": "Whole team"}
    ops = users.get(any_db, factories.user(any_db, "Olga", "ops"))
    assert list(users.owner_filter_choices(users.owner_names(any_db), ops)) == [
        ops.id, anna, ben, "team"]
