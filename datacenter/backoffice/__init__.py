"""The datacenter's volunteer pages: rooms, racks (elevations), machines and their actions."""

from . import actions, pages

__all__ = ["actions", "pages"]
