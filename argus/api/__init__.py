"""The HTTP service: batches (create, upload, complete, status, report), health and metrics."""
