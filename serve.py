"""The app behind `streamlit run serve.py`: the Streamlit pages plus leadladder's own HTTP routes."""

import streamlit as st

app = st.App("app.py")
