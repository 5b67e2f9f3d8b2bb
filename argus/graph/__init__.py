"""The supervisor graph: state, routing, limits, build and run."""
