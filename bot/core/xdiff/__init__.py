"""A port of git's line diff (xdiff), so hunks computed here are the ones GitHub shows.

Ported from the ``xdiff/`` directory of git (``xprepare.c``, ``xdiffi.c``,
``xemit.c``) with git's defaults: Myers' algorithm with xdiff's cost cut-offs,
change compaction with the indent heuristic (default since git 2.14), three lines
of context. The tests compare it hunk for hunk with the ``git diff --no-index -U3``
of the git on the test machine (2.39 where this was written).

- :mod:`bot.core.xdiff.diff`: line classification, the divide-and-conquer driver, hunks;
- :mod:`bot.core.xdiff.split`: the middle-snake search (``xdl_split``);
- :mod:`bot.core.xdiff.slide`: change compaction (``xdl_change_compact``).
"""
