"""Flashpoint's core: the event model, loading and validation, the timeline and the map layers."""
