"""The PySide6 desktop app: windows, widgets and controllers (imports client/ and domain/)."""
