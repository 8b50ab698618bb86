"""The storage layer: every table is written by exactly one repository module here.

A repository holds SQL and nothing else: no permission checks, no wording, no rules. The
modules beside it (``lib/leads.py``, ``lib/importing.py`` …) decide *what* to change, check
who may, and call a repository to write it inside their ``db.transaction``. One writer per
table is what a second engine needs (each repository keeps its SQL per engine) and what
makes "who changes this table, and how" a question with one answer.
"""

from __future__ import annotations

WRITERS: dict[str, str] = {
    "people": "lib/store/people.py",
    "ticks": "lib/store/ticks.py",
    "history": "lib/store/history.py",
    "leads": "lib/store/leads.py",
    "activities": "lib/store/leads.py",
    "lists": "lib/store/lists.py",
    "list_rows": "lib/store/lists.py",
    "imports": "lib/store/imports.py",
    "import_rows": "lib/store/imports.py",
    "saved_mappings": "lib/store/imports.py",
    "do_not_contact": "lib/store/privacy.py",
    "suppressions": "lib/store/privacy.py",
    "privacy_key": "lib/store/privacy.py",
    "users": "lib/store/users.py",
    "teams": "lib/store/users.py",
    "user_links": "lib/store/users.py",
    "login_sessions": "lib/store/users.py",
    "login_failures": "lib/store/users.py",
    "settings": "lib/store/settings.py",
    "criteria": "lib/store/settings.py",
    "pipeline_steps": "lib/store/settings.py",
    "audit_log": "lib/store/audit.py",
    "write_guards": "lib/db.py",
}
