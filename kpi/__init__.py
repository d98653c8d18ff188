"""The ACCSM KPI core: the store, the indicator framework and the engine that computes progress."""
