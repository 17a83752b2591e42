"""The realtime hub: one authenticated WebSocket per app carrying events and signalling."""
