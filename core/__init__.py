"""Configuration and shared plumbing."""
