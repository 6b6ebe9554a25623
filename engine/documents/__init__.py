"""Reading shelf's YAML documents strictly and checking them against its JSON Schemas, each problem at its
`file:line:col`: shared by `shelf.yaml` (engine.config) and the recipes (engine.recipes)."""
