"""Use cases that wire the layers: process files, stored-batch analysis, diagnose, parse to CSV."""
