"""The floor of moving between pages: two trivial pages in a sidebar, served the same way as the
app (bench/pages_bench.py clicks from one to the other)."""

import streamlit as st

st.set_page_config(page_title="floor", layout="wide")


def one() -> None:
    st.title("Trivial page one")
    st.write("ready one")


def two() -> None:
    st.title("Trivial page two")
    st.write("ready two")


st.navigation([st.Page(one, title="One", default=True), st.Page(two, title="Two")]).run()
