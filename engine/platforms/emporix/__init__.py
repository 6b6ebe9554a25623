"""Emporix Commerce Engine: the sandbox emulating the services a catalog sync uses."""
