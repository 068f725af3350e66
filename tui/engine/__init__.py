"""The engine: the sigmoid neuron and its losses (model), L(θ) and its gradients over the data
(objective), the update rules (optimizers), which points a step uses (schedule), the history
of a run (session, what it shows in reads, its states kept by history within a budget),
and the Taylor quantities, Hessian and gradient check (diagnostics).

Everything MATH.md defines is computed here and only here. It imports numpy and nothing of
gdstep above it: never textual, the app, the files layer or the command line."""
