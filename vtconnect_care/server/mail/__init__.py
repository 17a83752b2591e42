"""Mail: the transactional outbox and its background SMTP sender."""
