"""Allow ``python -m iopcli``."""

from iopcli.launch import main

main()
