"""The floor of the page benchmark: the smallest Streamlit page, served the same way as the app."""

import streamlit as st

st.set_page_config(page_title="floor", layout="wide")
st.title("Trivial page")
st.write("ready")
