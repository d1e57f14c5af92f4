"""`python -m gradexplain`."""

from gradexplain.shell.cli import main

main()
