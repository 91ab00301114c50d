"""Dossier components replaced by national or sector data (Resolution 66.7/2025/NQ-CP)."""
