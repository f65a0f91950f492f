"""`autoskill serve`: an OpenAI-compatible reverse proxy that injects the user's skills and learns from the chats.

A chat client or an agent framework points its OpenAI base URL here; each chat request gets the
skills relevant to its latest user message as one extra system message, goes on to the
configured upstream unchanged otherwise, and comes back unchanged. Finished conversations are
queued on the store's durable extraction queue, which the in-process worker learns from. The MCP
endpoint is served at `/mcp` by the same process. Only this package (and mcp_server/) imports
starlette; the core never does.
"""
