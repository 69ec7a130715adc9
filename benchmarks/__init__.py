"""Benchmarks of glmkit against statsmodels, glum and scikit-learn (see README.md)."""
