__all__ = ["listed", "Shown"]
from typing import overload, override
import functools

def listed(): pass
def unlisted(): pass
class Shown:
    def m(self): pass
    def __call__(self): pass
    def __new__(cls): pass
    def __init__(self): pass
    def __repr__(self): pass
    @property
    def p(self): pass
    @p.setter
    def p(self, v): pass
    @p.deleter
    def p(self): pass
    @functools.cached_property
    def cp(self): pass
    @override
    def o(self): pass
    @overload
    def ov(self, x: int): ...
    def ov(self, x): pass
    class Inner:
        def im(self): pass
    def _hid(self): pass
class Hidden:
    def m(self): pass
