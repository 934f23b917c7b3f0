"""Entry point for gunicorn (``gunicorn wsgi:app``) and ``flask --app wsgi``."""
from consult import create_app

app = create_app()
