"""Code written for Python 3.14: template strings and bare multi-except."""


def greet(name: str):
    return t"Hello {name}!"


def load(path):
    try:
        return open(path).read()
    except FileNotFoundError, PermissionError:
        return None
