"""The tools agents call: statistics, baseline comparison and trace relations."""
