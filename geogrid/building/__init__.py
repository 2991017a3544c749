"""Grid building: the three levels as clean, nested partitions of the county."""
