"""gdstep: a terminal step-through debugger for gradient descent."""

__version__ = "0.1.0"
"""The version of this source tree (pyproject.toml's); installed, gdstep reads its metadata."""
