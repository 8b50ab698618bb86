"""Import: upload this week's list, check the mapping and the preview, import it."""

import streamlit as st

st.title("Import a list")
