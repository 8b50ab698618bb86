"""Import: upload this week's list, check the mapping and the preview, import it, undo it."""

import streamlit as st

from lib import audit, i18n, importing, lists, privacy, ui
from lib.i18n import _

conn = ui.connection()
st.title(_("Import a list"))
viewer = ui.current_viewer()


def refused(reason: str) -> None:
    """A file that cannot be imported: the reason, in full view; the rest of the page stays."""
    st.error(reason, icon="⚠️")


def import_upload() -> None:
    upload = st.file_uploader(_("This week's list: CSV, XLSX, XLSM, XLS or ODS"),
                              key="import_file",
                              max_upload_size=ui.upload_limit_mb(conn))
    if upload is None:
        return
    too_big = ui.outcome(importing.check_size, conn, upload.size)[1]
    if too_big:
        return refused(too_big)
    data = upload.getvalue()
    sha = importing.fingerprint(data)
    with st.status(_("Reading the file…")) as progress:
        detected, reason = ui.memo("import_read", (sha,), lambda: ui.outcome(
            importing.read, conn, data, upload.name))
        progress.update(label=_("File read") if detected else _("File refused"),
                        state="complete" if detected else "error", expanded=False)
    if detected is None:
        return refused(reason)
    with st.expander(_("File settings"), expanded=False):
        chosen = ui.read_options(detected, key=f"import_options_{sha[:12]}")
    table, reason = (detected, "") if chosen == detected.options else ui.memo(
        "import_reread", (sha, chosen), lambda: ui.outcome(
            importing.read, conn, data, upload.name, chosen))
    if table is None:
        return refused(reason)
    for note in table.notes:
        ui.info(note, icon="ℹ️")

    target_col, source_col = st.columns([2, 1])
    existing = lists.names(conn, viewer=viewer)
    new_list = _("New list")
    target = target_col.selectbox(_("Into list"), [new_list, *existing], key="import_target")
    list_name = target if target != new_list else target_col.text_input(
        _("Name of the new list"), value=importing.default_list_name(upload.name),
        key=f"import_new_list_{sha[:12]}")
    source = source_col.text_input(_("Source (optional)"), placeholder=_("trade fair, webinar…"),
                                   key="import_source")

    st.subheader(_("Columns"))
    st.caption(_("Each column of the file goes to a field, or stays on the row as an extra "
                 "column."))
    suggested = importing.suggested_mapping(conn, table)
    edited = st.data_editor(
        importing.mapping_table(table, suggested), hide_index=True, width="stretch",
        disabled=["column", "examples"],
        key=f"import_mapping_{sha[:12]}_{chosen}_{i18n.language()}",
        column_config={"column": st.column_config.TextColumn(_("Column")),
                       "examples": st.column_config.TextColumn(_("Examples")),
                       "field": st.column_config.SelectboxColumn(
                           _("Field"), options=importing.field_choices(), required=True)},
    )
    column_mapping = importing.mapping_from_table(edited)
    preview, reason = ui.memo(
        "import_preview", (sha, chosen, tuple(column_mapping.items()), list_name),
        lambda: ui.outcome(importing.prepare, conn, data, upload.name, table, column_mapping,
                           list_name))
    if preview is None:
        return refused(reason)

    st.subheader(_("Preview"))
    ui.import_counts(preview.counts)
    if kept := privacy.kept_out_text(preview.counts.suppressed):
        ui.info(kept, icon="🛡️")
    st.dataframe(importing.preview_rows(conn, preview, viewer=viewer), hide_index=True,
                 width="stretch", key="import_preview_rows")
    if preview.previous_import:
        ui.info(importing.previous_import_text(preview.previous_import, list_name))
    if st.button(_("Import"), type="primary", key="import_commit",
                 disabled=preview.previous_import is not None):
        bar = st.progress(0.3, _("Writing people, memberships and history…"))
        result = ui.attempt(importing.commit, conn, preview, data, list_name,
                            by=ui.current_user_id(), source=source or None, via="browser")
        bar.progress(1.0, _("Done") if result else _("Not imported"))
        if result:
            audit.imported(conn, result, by=ui.current_user_id(), file_name=upload.name)
            st.session_state.import_last = result.import_id
            ui.forget("import_preview")
            ui.toast(result.message)


import_upload()

if last := st.session_state.get("import_last"):
    st.success(_("Import #{id} is done. The report is the file plus each row's outcome:")
               .format(id=last))
    ui.downloads(importing.report(conn, last, viewer=viewer), f"import-{last}-report",
                 key="import_report")

st.subheader(_("Import history"))
ui.import_history(conn)
