"""Sphinx configuration of the crmstudy course site (built by docs/build.py).

Everything the pages load is served from the site itself: the theme (furo) ships its own CSS,
JS and icons, MathJax comes from the sphinx-mathjax-offline package, and the ipywidgets
loader (which myst-nb would take from a CDN) is switched off.  docs/test_site.py checks the
built HTML for remote scripts, styles and fonts.
"""
project = "crmstudy"
author = "crmstudy developers"
copyright = "crmstudy developers, BSD-3-Clause"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",   # MathJax 3 copied into _static/mathjax (no CDN)
]
templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "jupyter_execute"]

# notebooks arrive executed (docs/build.py); never execute while building pages
nb_execution_mode = "off"
nb_ipywidgets_js = {}            # no require.js / widget manager from a CDN
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3

# API reference: every module's public names (its __all__) with their numpy docstrings
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_typehints = "description"
autodoc_mock_imports = ["pyspark"]
napoleon_numpy_docstring = True
napoleon_google_docstring = False

html_theme = "furo"
html_title = "crmstudy 课程 · course"
html_static_path = []
html_copy_source = False
html_show_sourcelink = False
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header", "autosummary", "autodoc"]


import re  # noqa: E402

_TRAILING_UNDERSCORE = re.compile(r"(?<![`\w\\])([A-Za-z]\w*)_(?=[\s,.;:)\]]|$)")
_BARS = re.compile(r"(?<![`|\\])\|([^|`\s][^|`]*)\|(?![`|_])")


def _plain_docstring_text(app, what, name, obj, options, lines):
    """Docstrings are written for help() and numpydoc readers: ``params_`` (a fitted
    attribute) and ``|v|`` (an absolute value) are plain text there, but RST reads them as a
    hyperlink reference and a substitution, and renders a broken link.  Escape both."""
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("..", ">>>")):
            continue
        line = _TRAILING_UNDERSCORE.sub(r"\1\\_", line)
        lines[i] = _BARS.sub(r"\\|\1\\|", line)


def setup(app):
    app.connect("autodoc-process-docstring", _plain_docstring_text, priority=600)
