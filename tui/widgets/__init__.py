"""The widgets of the gdstep app: each shows part of the engine\x27s state."""
