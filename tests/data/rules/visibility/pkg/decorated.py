import functools
from typing import overload

import click


@click.command()
def cli(name: str) -> None:
    print(name)


@functools.cache
def cached(x: int) -> int:
    return x


class Service:
    @click.pass_context
    def run(self, ctx: object) -> None:
        print(ctx)

    def stop(self) -> None:
        pass


@overload
def pick(x: int) -> int: ...
@overload
def pick(x: str) -> str: ...
def pick(x):
    return x
