"""Training callbacks that diagnose while a model trains: one module per framework.

``lossdoctor.integrations.keras``, ``.lightning`` and ``.transformers`` each import their
framework only when imported themselves; ``policy`` holds what they share.
"""
