"""python -m diffcompare"""

from .cli import main

main(prog_name="diffcompare")
