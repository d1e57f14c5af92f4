"""`python -m gradexplain`."""

from gradexplain.cli import main

main()
