"""shelf: catalog as code.

The package is called ``engine``; the command is ``shelf``; the distribution on the package index is
``shelf-sync`` (the name ``shelf`` there belongs to an unrelated project), which is what ``shelf init``'s
workflow installs.
"""

__version__ = "0.1.0"
DISTRIBUTION = "shelf-sync"
