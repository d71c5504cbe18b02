"""iopcli: aftercare plans for people stepping down from an Intensive Outpatient Program."""

__version__ = "0.1.0"
