"""The web process: verify a delivery, decide what it asks, enqueue the job, answer fast.

Follow one delivery through ``app`` (the receiver), ``webhook`` (signature and
body checks), ``events`` (the pure decision) and ``queue`` (the deduplicated
enqueue). ``metrics`` is what ``GET /metrics`` serves.
"""
