"""Generated SLO behaviour tests: scenarios from the policy, synthetic series, promtool runs."""
