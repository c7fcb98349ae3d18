"""A module with a real syntax error in the middle."""


def fine(x):
    return x + 1


def broken(x)
    return x * 2


def also_fine(y):
    return y
