"""Figures. The only package that imports matplotlib (inside the functions that draw)."""
