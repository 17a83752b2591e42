"""The portal server: REST API, Office Portal pages, realtime hub and mail outbox."""
