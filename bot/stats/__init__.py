"""Statistics for the school's yearly monitoring: counts only, never content."""
