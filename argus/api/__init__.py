"""The HTTP API: batches (create, upload, complete, status, report), statistics, chat, health and
metrics. It reaches the chat and the stage workers only through ports (``argus.api.ports``)."""
