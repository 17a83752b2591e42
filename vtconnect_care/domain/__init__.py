"""Pure product rules: no I/O, no Qt, no HTTP, no SQL."""
