"""The service layer: every rule's server-side enforcement, shared by API and pages."""
