"""Reading scenarios: YAML and .py files into a checked Scenario."""
