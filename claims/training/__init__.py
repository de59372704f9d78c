"""Training code for the claims library's learned parts; needs the `train` extra, and `import claims` never loads it."""
