from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator


class OutOfStock(Exception):
    """Raised when an order asks for more units than the shelf holds."""


class Inventory:
    def __init__(self, stock: dict[str, int] | None = None) -> None:
        self._stock: defaultdict[str, int] = defaultdict(int, stock or {})

    def receive(self, sku: str, quantity: int) -> int:
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        self._stock[sku] += quantity
        return self._stock[sku]

    def reserve(self, sku: str, quantity: int) -> None:
        available = self._stock.get(sku, 0)
        if quantity > available:
            raise OutOfStock(f"{sku}: {quantity} asked, {available} on hand")
        self._stock[sku] = available - quantity

    def low_stock(self, threshold: int = 5) -> Iterator[str]:
        for sku, quantity in sorted(self._stock.items()):
            if quantity < threshold:
                yield sku


def restock_plan(inventory: Inventory, targets: Iterable[tuple[str, int]]) -> dict[str, int]:
    plan = {}
    for sku, target in targets:
        missing = target - inventory._stock.get(sku, 0)
        if missing > 0:
            plan[sku] = missing
    return plan
