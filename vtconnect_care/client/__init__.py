"""The app's non-UI core: portal API client, realtime client, call engine, media."""
