"""What `streamlit run serve.py` runs: the pages of app.py plus leadladder's own HTTP routes."""

import streamlit as st

app = st.App("app.py")
