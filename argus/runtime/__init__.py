"""Embedded services for a single machine: PostgreSQL + pgvector, Kafka, the local LLM."""
