"""Helpers for the page tests: read a page's elements the way a browser would, and make
real videos through the studio (rendered by the default engine at a tiny size)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from kinema.accounts.models import User


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""


@dataclass
class Page:
    """The elements of an HTML page, with a few ways to find them."""

    elements: list[Element] = field(default_factory=list)

    def find_all(self, tag: str, **attrs: str) -> list[Element]:
        return [
            el
            for el in self.elements
            if el.tag == tag and all(el.attrs.get(k.rstrip("_").replace("_", "-")) == v
                                     for k, v in attrs.items())
        ]

    def find(self, tag: str, **attrs: str) -> Element | None:
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def meta(self, prop: str) -> str | None:
        for el in self.elements:
            if el.tag == "meta" and prop in (el.attrs.get("property"), el.attrs.get("name")):
                return el.attrs.get("content")
        return None

    def by_id(self, element_id: str) -> Element | None:
        for el in self.elements:
            if el.attrs.get("id") == element_id:
                return el
        return None


VOID_TAGS = frozenset({
    "meta", "link", "img", "input", "br", "hr", "source", "area", "base", "col", "embed",
    "param", "track", "wbr",
})


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v if v is not None else "" for k, v in attrs})
        self.page.elements.append(element)
        if tag not in VOID_TAGS:
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index].tag == tag:
                del self.open[index:]
                break

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element.text += data


def parse_page(html: str) -> Page:
    """Parse HTML into a flat list of elements (each with the text inside it)."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.page


@pytest.fixture
def make_video(
    api_client: Callable[[User], TestClient],
) -> Callable[..., dict[str, object]]:
    """``make_video(user, prompt=..., publish=False, caption=None)``: a real one-second
    video rendered through the studio at 160x288, returned as ``GET /api/videos/{id}``
    shows it."""

    def _make(
        user: User,
        *,
        prompt: str = "a cat walks on the beach at sunset",
        publish: bool = False,
        caption: str | None = None,
    ) -> dict[str, object]:
        client = api_client(user)
        answer = client.post(
            "/api/generations", json={"prompt": prompt, "seconds": 1, "size": "160x288"}
        )
        assert answer.status_code == 202, answer.text
        generation = client.get(f"/api/generations/{answer.json()['generation']['id']}").json()
        assert generation["status"] == "completed", generation
        video_id = generation["video_id"]
        if publish:
            body = {} if caption is None else {"caption": caption}
            published = client.post(f"/api/videos/{video_id}/publish", json=body)
            assert published.status_code == 200, published.text
        video = client.get(f"/api/videos/{video_id}").json()
        assert isinstance(video, dict)
        return video

    return _make


@pytest.fixture
def parse() -> Callable[[str], Page]:
    """``parse(response.text)`` -> a ``Page`` to look elements up in."""
    return parse_page
