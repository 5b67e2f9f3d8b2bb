"""Process wiring: serve (API + workers side by side), worker-only, doctor."""
