"""Loading at numpy's speed: a plain file is read by np.loadtxt, anything else by the careful
parser; both give the same doubles, line numbers and settings, and every message stays the
careful parser's."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.data import reader
from tui.data.dataset import DataError

doubles = st.floats(-1e300, 1e300)  # rounded to 4 digits, still finite
spellings = st.sampled_from([repr, "{:.17g}".format, "{:.3e}".format, "{:+.5f}".format, str])


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.tuples(doubles, doubles, doubles), min_size=1, max_size=20),
    spell=spellings,
    header=st.booleans(),
    comments=st.integers(0, 2),
    trailing=st.sampled_from(["", "\n", "\n\n  \n"]),
)
def test_the_plain_path_reads_what_the_careful_one_reads(rows, spell, header, comments, trailing):
    lines = ["# a description", "# gdstep: lr=0.5", ""][:comments]
    lines += ["a, b ,y"] if header else []
    lines += [",".join(spell(v) for v in row) for row in rows]
    text = "\n".join(lines) + trailing
    plain = reader._parse_plain(text, "f.csv")
    careful = reader._parse_cells(text, "f.csv")
    assert plain is not None
    assert plain.data.tobytes() == careful.data.tobytes()
    assert list(plain.lines) == list(careful.lines)
    assert (plain.header, plain.description, plain.settings) == (
        careful.header,
        careful.description,
        careful.settings,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x,y\n1,2\n3,oops\n", "line 3, column 2 (y): 'oops' is not a number"),
        ("x,y\n1,2\n\n3,\n", "line 4, column 2 (y): empty cell"),
        ("x,y\n1,2\n3,4,5\n", "line 3: expected 2 cells, found 3"),
        ("x,y\n1,2\n3,1e999\n", "line 3, column 2 (y): '1e999' is not a finite number"),
        ("x,x\n1,2\n", "column name 'x' appears twice"),
        ("x,y\n", "has a header but no data rows"),
    ],
)
def test_problems_are_named_by_the_careful_parser(text, message):
    assert reader._parse_plain(text, "f.csv") is None
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        reader._parse(text, "f.csv")


@pytest.mark.parametrize(
    "text",
    [
        'x,y\n1,"2"\n',  # quotes
        "x,y\r\n1,2\r\n",  # carriage returns
        "x,y\n1,2\n# a comment\n3,4\n",  # a comment after the first row
        "x,y\n1,2\n\n3,4\n",  # a blank line inside: the line numbers must skip it
        "x,y\n1_000,2\n",  # float() reads 1_000; numpy does not
    ],
)
def test_other_files_go_the_careful_way_with_the_same_result(text):
    assert reader._parse_plain(text, "f.csv") is None
    table = reader._parse(text, "f.csv")
    assert np.isfinite(table.data).all()
