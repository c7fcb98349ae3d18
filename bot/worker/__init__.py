"""The worker process: run one review job per pull request and post what it found.

``runner`` is the arq worker (shared clients in ``ctx``); ``job`` is the review job;
``github`` is the only module that talks to GitHub; ``posting`` sequences the review
and summary calls; ``services`` holds the clients every job shares.
"""
