"""``python -m ipstats.validate sync-schemas``: copy data_schemas/*.schema.yaml into the package (for the wheel)."""

import sys

from ipstats.validate.schema import sync_packaged_schemas

if __name__ == "__main__":
    if sys.argv[1:] != ["sync-schemas"]:
        sys.exit("usage: python -m ipstats.validate sync-schemas")
    for copied in sync_packaged_schemas():
        print(copied)
