"""The drafting team builds surveys, imports and exports XLSForms, manages invitations."""
from surveys import blueprint  # noqa: F401
