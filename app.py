"""The dashboard's router: page config, navigation over pages/, and the shared furniture (dashboard.frame)."""

import streamlit as st

from dashboard import frame, widgets

st.set_page_config(**frame.PAGE_CONFIG)
navigation = frame.build_navigation()
with widgets.explain_errors("the dashboard", stop_on_store_failure=True):
    frame.draw_furniture()
navigation.run()
