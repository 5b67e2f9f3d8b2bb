"""Reading logs, and nothing else: gz and plain streams, line formats, records, timestamps."""
