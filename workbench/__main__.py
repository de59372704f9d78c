"""`python -m workbench` runs the same command line as `workbench`."""

from .cli import main

if __name__ == "__main__":
    main(prog_name="workbench")
