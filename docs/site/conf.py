"""Sphinx configuration of the course website (``make site``).

The site is built from the committed, executed notebooks without running
them (``nb_execution_mode = "off"``): what a reader sees is what CI checked.
tools/build_site.py assembles the sources in build/site-src first.
"""

project = "pmkt-lessons"
author = "pmkt-lessons contributors"
copyright = "pmkt-lessons contributors; code MIT, data under the licences in datasets/"

extensions = ["myst_nb", "sphinx-mathjax-offline"]  # MathJax served from the site: maths render offline
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
suppress_warnings = ["mystnb.unknown_mime_type", "misc.highlighting_failure"]

html_theme = "sphinx_book_theme"
html_title = "pmkt-lessons: AI-driven precision marketing"
html_theme_options = {
    "repository_url": "https://github.com/pmkt-lessons/pmkt-lessons",
    "use_repository_button": True,
    "show_toc_level": 2,
}
