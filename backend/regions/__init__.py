"""Administrative regions: province -> city -> county (GB/T 2260 codes)."""
