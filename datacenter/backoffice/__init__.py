"""The datacenter's volunteer pages: rooms, racks (elevations), machines and their actions."""

from . import actions, equipment, pages

__all__ = ["actions", "equipment", "pages"]
