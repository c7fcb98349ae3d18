"""The engine both fronts share: changed files in, verified suggestions and a report out.

``analyse`` is pure (diff mapping, extraction, targets, placement); ``document``
plans the model calls, makes them through an injected caller, then renders,
verifies and safety-checks every answer, retrying refused ones once.
"""
