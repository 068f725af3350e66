"""The command line's parts (tui.__main__ dispatches to them): the options the app, `trace` and
`serve` share (options.py) and `gdstep trace` (trace_command.py). They may import every layer
but the app; only tui.__main__ and tui.serve import them."""
