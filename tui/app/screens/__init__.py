"""The dialogs of the gdstep app (on one base that is dismissed once): numbers, open, help,
breakpoints, watches, edit θ, file names, confirm, and the model in the file's own units."""
