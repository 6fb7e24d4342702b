"""The ticket site: records -> Markdown pages (render.py), adapted to mkdocs by plugin.py.

Only `plugin.py` imports mkdocs; everything else can feed any Markdown site generator.
"""
