"""`ticketgen lint`: check tickets against the template (the schema) and report like a CI linter.

Layout: `rule` (the Rule type and the table of rules), `rules/` (one module per group),
`settings` (the `[tool.ticketgen.lint]` table), `engine` (run the rules, cache, cross-file checks),
`fixes` (apply and diff edits), `reporters` (text, json, github, sarif, junit).
"""
