"""The dashboard's router: page config, who may see it (dashboard.identity), navigation over pages/, and the shared
furniture (dashboard.frame)."""

import streamlit as st

from dashboard import frame, identity, widgets

st.set_page_config(**frame.PAGE_CONFIG)
# Before anything of the data: not signed in, signed in without access, or local mode reached from elsewhere
# draws its own screen and ends the run there.
gate = identity.check_gate()
navigation = frame.build_navigation(hidden=gate is not None)
if gate is not None:
    gate()
    st.stop()  # the gate stops the run itself; this line makes sure no page follows if it ever did not
with widgets.explain_errors("the dashboard", stop_on_store_failure=True):
    frame.draw_furniture()
navigation.run()
