"""Reading logs: gz and plain streams, line formats, records, the file registry, uploads."""
