"""Models of the promises app."""
