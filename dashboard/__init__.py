"""Shared Streamlit UI code of the dashboard: cached loaders, URL state and widgets."""
