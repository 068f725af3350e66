"""Data for gdstep: CSV files, the bundled samples, and standardizing.

This package does not import textual (nor anything above it): the engine and the app take its
Datasets. Modules: dataset (Dataset, DataError), standardize, samples, reader (CSV to Dataset),
csv_split (a file into cells).

CSV format
----------
UTF-8 (a byte-order mark is fine), comma-separated, CRLF or LF line endings.

* Lines whose first non-space character is ``#`` are comments; blank lines are skipped;
  spaces around values are stripped; header names may be quoted (``"x","y"``).
* The first row is a header if any of its cells is not a number.
* The last column is the target (unless ``target=NAME`` picks a header column); every other
  column is a feature.
* Comment lines before the first row may carry a one-line description (the first comment that
  is not a ``gdstep:`` line) and recommended settings::

      # Five points for a sigmoid neuron
      # gdstep: loss=mse lr=1 w0=0 b0=0

Anything wrong with a file raises :class:`DataError` with a one-line message naming the file
and, where there is one, the line (1-based physical line) and column (1-based, with the header
name when there is a header). Only regular files of at most :data:`DATA_LIMIT` bytes are read
(a FIFO or a device is refused at once, never waited on). Text from the file that is kept for
display (the description, the column names) has its control characters escaped.
"""

from tui.data.dataset import DataError, Dataset
from tui.data.reader import DATA_LIMIT, load, read_header_comments
from tui.data.samples import SAMPLES_DIR, resolve, sample_names
from tui.data.standardize import Standardization, standardize_columns

__all__ = [
    "DATA_LIMIT",
    "SAMPLES_DIR",
    "DataError",
    "Dataset",
    "Standardization",
    "load",
    "read_header_comments",
    "resolve",
    "sample_names",
    "standardize_columns",
]
