"""The AppXite emulator: the Order API (cart, place, poll, update, cancel) behind the API gateway's
subscription key and bearer token, with its state in SQLite. ``app`` builds it; ``gateway``, ``orders``,
``provisioning``, ``control`` and ``db`` hold the readings where the vendor's pages are silent."""
