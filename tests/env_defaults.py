"""Loaded by pytest before Django starts (`-p tests.env_defaults` in pyproject.toml).

Tests run with production settings (DEBUG off); only what a test machine lacks is set here:
a throw-away secret key, and plain HTTP for the test client.
"""

import os
import secrets

os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
