"""Django's SQLite backend, told SQLite's real limit on a statement's parameters (``base``)."""
