"""Rule-based analytics over the statistics, called by the agents: digest, baseline comparison,
trace relations, suspects, statistics views."""
