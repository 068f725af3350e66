"""The widgets of the gdstep app: the panels, the per-point table, the progress line, the dialog
field; each shows part of the session, read from it."""
