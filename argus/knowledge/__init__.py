"""Knowledge base: embeddings, hybrid search, seeding and the starter pack."""
