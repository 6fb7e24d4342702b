"""ticketgen: Markdown tickets whose template is their schema.

Pipeline: template (schema) -> parse -> records -> {lint, site, runbooks}.
"""
