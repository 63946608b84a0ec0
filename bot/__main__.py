"""`python -m bot` is `sopbot`."""

from bot.cli import main

main()
