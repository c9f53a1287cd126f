"""The one paginator collect and provision share: every page, or one call where the API has no pages."""

from __future__ import annotations

from domino_eks.aws import pages


class Client:
    """A client whose `describe_things` answers in pages of two, and whose `get_thing` has no paginator."""

    def __init__(self, things: list[str]):
        self.things = things
        self.calls: list[dict] = []

    def can_paginate(self, operation: str) -> bool:
        return operation == "describe_things"

    def get_paginator(self, operation: str):
        client = self

        class Paginator:
            def paginate(self, **arguments):
                client.calls.append(arguments)
                wanted = [t for t in client.things if t in arguments["Filters"][0]["Values"]]
                yield from ({"Things": wanted[start:start + 2]} for start in range(0, len(wanted), 2))
                yield {}  # a last page without the key: nothing more, no error

        return Paginator()

    def get_thing(self, **arguments):
        self.calls.append(arguments)
        return {"Thing": None}


def test_every_page_is_read_and_filter_values_go_at_most_200_a_call():
    names = [f"t-{n:03}" for n in range(450)]
    client = Client(names[:-1])  # the last one no longer exists: a filter skips it

    found = list(pages.filtered(client, "describe_things", "Things", "thing-id", names))

    assert found == names[:-1]
    assert [len(call["Filters"][0]["Values"]) for call in client.calls] == [200, 200, 50]


def test_an_operation_without_pages_is_one_call():
    client = Client([])

    assert list(pages.paginate(client, "get_thing", "Thing", Name="x")) == []
    assert client.calls == [{"Name": "x"}]


def test_chunks_keep_the_order_and_the_remainder():
    assert list(pages.chunks(["a", "b", "c", "d", "e"], 2)) == [["a", "b"], ["c", "d"], ["e"]]
