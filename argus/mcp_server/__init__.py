"""The MCP server (``argus mcp``): Argus's read-only tools for an assistant, over stdio or
streamable HTTP (bearer keys), with a write tool (diagnose files) only when enabled.

A front door: it imports no other front door; the chat reaches it as a port
(:mod:`argus.mcp_server.ports`) that ``argus.service.mcp`` fills.
"""
