"""Lists: every prospecting list with its origin and status counts."""

import streamlit as st

st.title("Lists")
