"""The xPage emulator: the sandbox shop behind ``sandbox: true`` targets and
``shelf sandbox serve --platform xpage``."""
