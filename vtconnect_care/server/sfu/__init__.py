"""Group rooms through a media server (Janus VideoRoom): the portal server is its only client."""
