"""VTConnect Care: secure telehealth desktop app and portal server."""

__version__ = "0.1.0"
