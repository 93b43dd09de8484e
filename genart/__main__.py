"""``python -m genart``."""
from genart.cli.main import main

if __name__ == "__main__":
    main()
