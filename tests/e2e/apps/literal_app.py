"""Each string of the JSON file named by LEADLADDER_STRINGS, as leadladder shows a message with
data: through display.literal into Streamlit's Markdown (st.markdown), one container each."""

import json
import os
from pathlib import Path

import streamlit as st

from lib import display

strings = json.loads(Path(os.environ["LEADLADDER_STRINGS"]).read_text(encoding="utf-8"))
for number, text in enumerate(strings):
    st.container(key=f"literal_{number}").markdown(display.literal(text))
