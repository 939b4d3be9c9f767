"""The explorer's server: the pages (``streamlit_app.py``, Streamlit's own routes) and, beside
them, the routes that stream a question's whole answer and a whole list (``downloads.py``).

``collabkg explore`` runs ``streamlit run app/serve.py``; Streamlit finds ``app`` below and
serves it (Streamlit's ``st.App``). The pages alone (``streamlit run app/streamlit_app.py``,
and Streamlit's AppTest) work as before, without the download routes.
"""

from __future__ import annotations

import streamlit as st
from downloads import routes
from streamlit import config

app = st.App("streamlit_app.py", routes=routes(config.get_option("server.baseUrlPath") or ""))
