"""Every output format (text tables, Markdown, HTML with inline SVG, JSON, CSV) and the
message catalogues of every language."""
