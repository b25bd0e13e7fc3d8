"""Pure functions from results to text: rich tables, JSON, CSV, Markdown, LaTeX."""
