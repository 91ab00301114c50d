"""Checking a dossier's applicant against the national population registry (indicator 4.5)."""
