"""The Qt Designer forms of ui/, compiled by scripts/build_ui.py into ui_*.py (not in git)."""
