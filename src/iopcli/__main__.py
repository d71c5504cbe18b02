"""Allow ``python -m iopcli``."""

from iopcli.cli import main

main()
