"""The dialogs of the gdstep app: η, go to step, open a data set, help."""
