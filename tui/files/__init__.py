"""Files: reading regular files within a limit and writing atomically (safe), saved sessions
and the exported trace (sessionfile), and the headless trace (trace).

It imports the engine, the data and the expression language; never textual or the app."""
