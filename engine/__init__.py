"""shelf: catalog as code.

The package is called ``engine``; the command is ``shelf``.
"""

__version__ = "0.1.0"
