def __getattr__(name):
    return name


def quiet():  # noqa: D103
    pass


def bare():  # noqa
    pass


def wrong_code():  # noqa: D102
    pass


class Meta:
    def __call__(self):  # noqa: D102
        pass

    def method(self):  # NOQA:D105,D102
        pass


class __Hidden__:
    def method(self):
        pass


def test_only_the_whitelist_counts():
    pass


class Quiet:  # noqa: D101
    def speak(self):  # noqa
        pass


class Loud:  # noqa: D102
    pass
