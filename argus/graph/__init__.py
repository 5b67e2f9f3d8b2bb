"""The supervisor graph: its inputs, routing, build (compiled once) and run."""
