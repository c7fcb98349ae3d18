"""The local front: ``docgen suggest`` runs the engine on a git checkout, offline by default."""

from __future__ import annotations
