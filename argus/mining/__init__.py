"""Two-pass regex-template engine: pass 1 evolves templates, pass 2 counts."""
