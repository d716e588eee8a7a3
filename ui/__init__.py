"""Streamlit helpers of the dashboard: data choice, session state and page panels."""
