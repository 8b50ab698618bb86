"""Calendar: my next steps in my own calendar app, as a file to import or a feed it follows."""

import streamlit as st

from lib import calendar, display, i18n, settings, ui
from lib.i18n import _, ngettext

conn = ui.connection()
ui.show_flash()
st.title(_("Calendar"))
me = ui.require_user()
viewer = ui.current_viewer()

planned = calendar.event_count(conn, me.id, viewer=viewer)
alarm = settings.get(conn, "alarm_minutes")
st.markdown(display.markdown(ngettext(
    "Your **{count} open next step** as a calendar event, with a reminder {minutes} minutes "
    "before (steps without a time: all-day, reminder at 09:00).",
    "Your **{count} open next steps** as calendar events, each with a reminder {minutes} "
    "minutes before (steps without a time: all-day, reminder at 09:00).", planned),
    count=i18n.number(planned), minutes=i18n.number(alarm)))


def issue() -> None:
    if token := ui.attempt(calendar.issue_token, conn, me.id):
        st.session_state.calendar_new_token = token  # shown this once: only its hash is kept
        ui.flash(_("Your new subscription address is ready; any older one stopped working."))


def revoke() -> None:
    ui.attempt(calendar.revoke_token, conn, me.id)
    st.session_state.pop("calendar_new_token", None)
    ui.flash(_("Subscription address revoked: calendars that use it get nothing any more."))


download, subscribe = st.columns(2, gap="large")
with download, st.container(border=True, height="stretch"):
    st.subheader(_("Download"), anchor=False)
    st.caption(_("Import the file into Outlook, Google Calendar or Apple Calendar. Importing a "
                 "newer file again updates the events instead of adding them twice."))
    st.download_button(_("Download my next steps (.ics)"),
                       calendar.ics_for_user(conn, me.id, viewer=viewer),
                       file_name=calendar.file_name(me.name), mime="text/calendar",
                       type="primary", icon="⬇️", key="calendar_download")

with subscribe, st.container(border=True, height="stretch"):
    st.subheader(_("Subscribe"), anchor=False)
    token = st.session_state.pop("calendar_new_token", None)
    if not calendar.has_feed(conn, me.id):
        st.caption(_("A private address your calendar app checks by itself: changes here show "
                     "up there without downloading again."))
        st.button(_("Create my subscription address"), type="primary", key="calendar_issue",
                  on_click=issue)
    else:
        st.caption(_("Add this address as a subscription: “From URL” in Google Calendar, "
                     "“Subscribe from web” in Outlook, “New calendar subscription” in Apple "
                     "Calendar. Anyone who has it sees your next steps: keep it private."))
        if token:
            st.code(ui.app_url(calendar.FEED_PATH.format(token=token), "calendar"),
                    language=None, wrap_lines=True)
            st.caption(_("Copy it now: it is shown only this once."))
        else:
            st.caption(_("Your subscription address works. It was shown once, when it was "
                         "made; make a new one to see an address again."))
        renew, stop = st.columns(2)
        with renew.popover(_("New address…"), width="stretch"):
            st.write(_("The current address stops working at once; subscribe again with the "
                       "new one."))
            st.button(_("Replace the address"), key="calendar_renew", on_click=issue)
        with stop.popover(_("Revoke…"), width="stretch"):
            st.write(_("Calendars that use the address get nothing any more."))
            st.button(_("Revoke the address"), type="primary", key="calendar_revoke",
                      on_click=revoke)
