"""Floor 0: plain helpers every app may use (no models, no imports of our apps)."""
