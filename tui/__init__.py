"""gdstep: a terminal step-through debugger for gradient descent."""
