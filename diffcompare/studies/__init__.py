"""Looking inside the methods: derivations, evaluation traces, graphs, swell, step sweeps.
Data only; render/ and plots/ show it."""
