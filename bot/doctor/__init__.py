"""``docgen doctor``: check a deployment's settings and every service it depends on.

Each check reports PASS, WARN, FAIL or SKIP (not run because an earlier step it
needs failed) with a one-line detail and, for each failure, the fix. The checks
run side by side under a timeout each; one failing never stops the others.
"""
