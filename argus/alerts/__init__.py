"""Alert rules on diagnoses and their notifications: rule models, pure decisions, channels."""
