"""What every chapter builder shares: markdown/code cells and writing the notebook.

OLD LAYOUT, being replaced by notebooks/source/*.md + make_notebooks.py (see
notebooks/source/README.md); delete a builder once its chapter is converted.

The builders (``build_0N.py``) generate the chapter notebooks so that their source stays
reviewable in diffs; notebooks are written with outputs stripped.
"""
from pathlib import Path

import nbformat as nbf

NOTEBOOKS = Path(__file__).resolve().parents[1]


def md(text):
    return nbf.v4.new_markdown_cell(text.strip())


def code(text, tags=()):
    cell = nbf.v4.new_code_cell(text.strip())
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def write_notebook(cells, name: str) -> Path:
    """Write ``cells`` as ``notebooks/<name>.ipynb`` (kernel python3, no outputs)."""
    for number, cell in enumerate(cells):
        cell.id = f"cell-{number:02d}"  # stable ids: rebuilding changes nothing that did not change
    nb = nbf.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })
    out = NOTEBOOKS / f"{name}.ipynb"
    nbf.write(nb, out)
    print(f"wrote {out}")
    return out
