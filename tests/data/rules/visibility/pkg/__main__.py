def f(): pass
def outer():
    def inner(): pass
    class K:
        def km(self): pass
class _P:
    def m(self): pass
    class Q:
        def qm(self): pass
@staticmethod
def g(): pass
