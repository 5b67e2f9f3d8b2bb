"""Kafka-driven stage workers: parse (``argus.batches``) and diagnose (``argus.parsed``)."""
