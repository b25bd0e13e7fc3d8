"""Comparing methods: the exact reference, errors, diagnostics at the point, checks for CI."""
