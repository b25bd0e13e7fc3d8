"""python -m diffcompare"""

from diffcompare.cli import main

main(prog_name="diffcompare")
