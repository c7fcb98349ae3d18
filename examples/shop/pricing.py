from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Discount:
    code: str
    percent: Decimal
    minimum_total: Decimal = Decimal("0")

    def applies_to(self, total: Decimal) -> bool:
        return total >= self.minimum_total and self.percent > 0

    def apply(self, total: Decimal) -> Decimal:
        if not self.applies_to(total):
            return total
        reduced = total * (Decimal(100) - self.percent) / Decimal(100)
        return reduced.quantize(CENT, rounding=ROUND_HALF_UP)


def line_total(unit_price: Decimal, quantity: int, *, tax_rate: Decimal = Decimal("0")) -> Decimal:
    if quantity < 0:
        raise ValueError("quantity must not be negative")
    gross = unit_price * quantity * (1 + tax_rate)
    return gross.quantize(CENT, rounding=ROUND_HALF_UP)


def order_total(lines: list[tuple[Decimal, int]], discount: Discount | None = None) -> Decimal:
    total = sum((line_total(price, qty) for price, qty in lines), Decimal("0"))
    if discount is not None:
        total = discount.apply(total)
    return total
