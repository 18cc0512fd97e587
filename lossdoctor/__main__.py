"""`python -m lossdoctor ...`: the same command line as the `lossdoctor` script."""
from lossdoctor.launch import main

main()
