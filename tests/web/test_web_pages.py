"""The web pages as a visitor gets them: what renders, who may see what, what a link
preview reads, and the files that make the app installable."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from typing import Any

import av
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from kinema.accounts.models import User

PageParser = Callable[[str], Any]


def signed_in(client: TestClient, user: User, login: Callable[..., None]) -> TestClient:
    login(client, user)
    return client


def assert_html(response: Any, status: int = 200) -> None:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")


def test_landing_page_explains_kinema_and_offers_sign_in_and_join(
    client: TestClient, parse: PageParser
) -> None:
    response = client.get("/")
    assert_html(response)
    page = parse(response.text)
    links = {a.attrs.get("href") for a in page.find_all("a")}
    assert {"/signup", "/login"} <= links
    assert "video" in page.find("h1").text.lower()
    assert page.by_id("video-grid") is None  # the feed grid is for signed-in people
    assert page.find("nav", class_="tabbar") is None


def test_home_for_a_signed_in_person_is_the_feed_with_tabs(
    client: TestClient, make_user: Callable[..., User], login: Callable[..., None],
    parse: PageParser,
) -> None:
    alice = make_user("alice")
    signed_in(client, alice, login)
    response = client.get("/")
    assert_html(response)
    page = parse(response.text)
    assert page.by_id("feed") is not None  # the full-screen vertical feed
    assert any("feed.js" in el.attrs.get("src", "") for el in page.find_all("script"))
    tabbar = page.find("nav", class_="tabbar")
    assert tabbar is not None
    tab_links = [a.attrs["href"] for a in page.find_all("a") if a.attrs.get("href")]
    for target in ("/", "/create", "/characters", "/notifications", "/u/alice", "/drafts"):
        assert target in tab_links
    assert "/moderation" not in tab_links  # only moderators see the queue
    assert page.find("button", data_action="logout") is not None
    # /feed is the same feed, for signed-out visitors too.
    assert parse(client.get("/feed").text).by_id("feed") is not None


def test_moderators_see_a_moderation_link(
    client: TestClient, make_user: Callable[..., User], login: Callable[..., None],
    parse: PageParser,
) -> None:
    signed_in(client, make_user("mod", is_admin=True), login)
    for path in ("/", "/create", "/u/mod"):
        links = [a.attrs.get("href") for a in parse(client.get(path).text).find_all("a")]
        assert "/moderation" in links, path


def test_pages_link_the_public_provenance_check(
    client: TestClient, make_user: Callable[..., User], login: Callable[..., None],
    parse: PageParser,
) -> None:
    landing = parse(client.get("/").text)
    assert landing.find("a", href="/provenance") is not None
    assert "provenance" in landing.find("a", href="/provenance").text.lower()
    make_user("alice")
    assert parse(client.get("/u/alice").text).find("a", href="/provenance") is not None
    assert_html(client.get("/provenance"))


def test_signup_page_prefills_the_invite_code(client: TestClient, parse: PageParser) -> None:
    response = client.get("/signup?invite=ABCD-EFGH-JKLM")
    assert_html(response)
    page = parse(response.text)
    assert page.by_id("invite_code").attrs["value"] == "ABCD-EFGH-JKLM"
    for name in ("handle", "email", "password", "birthdate"):
        field = page.by_id(name)
        assert field is not None and field.tag == "input"
        assert page.find("label", for_=name) is not None  # every field has a label
    assert page.by_id("birthdate").attrs["type"] == "date"


def test_login_page_takes_handle_or_email_and_password(
    client: TestClient, parse: PageParser
) -> None:
    response = client.get("/login?next=/drafts")
    assert_html(response)
    page = parse(response.text)
    assert page.by_id("login").attrs["autocomplete"] == "username"
    assert page.by_id("password").attrs["type"] == "password"
    assert page.by_id("login-form").attrs["data-next"] == "/drafts"


def test_login_page_never_sends_people_to_another_site(
    client: TestClient, parse: PageParser
) -> None:
    page = parse(client.get("/login?next=//evil.example/").text)
    assert page.by_id("login-form").attrs["data-next"] == "/"


def test_signed_in_people_skip_the_login_page(
    client: TestClient, make_user: Callable[..., User], login: Callable[..., None]
) -> None:
    signed_in(client, make_user("alice"), login)
    response = client.get("/login", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


@pytest.mark.parametrize("path", ["/create", "/drafts"])
def test_studio_pages_send_anonymous_visitors_to_sign_in(
    client: TestClient, path: str
) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=%2F{path[1:]}"


def test_create_page_has_prompt_options_image_and_progress(
    client: TestClient, make_user: Callable[..., User], login: Callable[..., None],
    parse: PageParser,
) -> None:
    signed_in(client, make_user("alice"), login)
    response = client.get("/create")
    assert_html(response)
    page = parse(response.text)
    assert page.by_id("prompt").tag == "textarea"
    assert len(page.find_all("button", class_="chip")) >= 3
    seconds = {el.attrs["value"] for el in page.find_all("input", name="seconds")}
    assert seconds == {"4", "8", "12", "20"}
    shapes = {el.attrs["value"] for el in page.find_all("input", name="shape")}
    assert {"portrait", "landscape"} <= shapes
    sizes = json.loads(page.by_id("create-form").attrs["data-sizes"])
    assert sizes["portrait"]["standard"] == "720x1280"
    assert sizes["landscape"]["standard"] == "1280x720"
    image = page.by_id("image")
    assert image.attrs["type"] == "file" and "image/png" in image.attrs["accept"]
    bar = page.by_id("progress")
    assert bar.attrs["role"] == "progressbar"
    steps = [li.text.strip() for li in page.find_all("li") if "data-stage" in li.attrs]
    assert steps == ["Planning", "Rendering", "Sound", "Encoding"]


def test_drafts_page_lists_only_your_own_drafts(
    client: TestClient, make_user: Callable[..., User], login: Callable[..., None],
    make_video: Callable[..., dict[str, Any]], parse: PageParser,
) -> None:
    alice, bob = make_user("alice"), make_user("bob")
    draft = make_video(alice, prompt="a dog runs in the park")
    signed_in(client, alice, login)
    page = parse(client.get("/drafts").text)
    cards = page.find_all("article", class_="draft")
    assert [card.attrs["data-video-id"] for card in cards] == [draft["id"]]
    assert "a dog runs in the park" in cards[0].text
    assert page.find("img", src=draft["thumbnail_url"]) is not None

    client.post("/api/auth/logout")
    client.headers.pop("X-CSRF-Token", None)
    signed_in(client, bob, login)
    page = parse(client.get("/drafts").text)
    assert page.find_all("article", class_="draft") == []
    assert page.by_id("drafts-empty").attrs.get("hidden") is None


def test_a_draft_page_is_for_its_author_only(
    client: TestClient, make_user: Callable[..., User], login: Callable[..., None],
    make_video: Callable[..., dict[str, Any]], parse: PageParser,
) -> None:
    alice, bob = make_user("alice"), make_user("bob")
    draft = make_video(alice)

    anonymous = client.get(f"/v/{draft['id']}")
    assert_html(anonymous, 404)
    assert "og:video" not in anonymous.text

    signed_in(client, bob, login)
    assert_html(client.get(f"/v/{draft['id']}"), 404)
    client.post("/api/auth/logout")
    client.headers.pop("X-CSRF-Token", None)

    signed_in(client, alice, login)
    response = client.get(f"/v/{draft['id']}")
    assert_html(response)
    page = parse(response.text)
    assert page.by_id("publish-form") is not None
    assert page.by_id("status-badge").text.strip() == "Draft"
    assert page.meta("og:video") is None  # drafts are never offered to link previews
    assert page.meta("robots") == "noindex"


def test_published_video_is_a_public_share_page_with_open_graph_tags(
    client: TestClient, make_user: Callable[..., User],
    make_video: Callable[..., dict[str, Any]], parse: PageParser,
) -> None:
    video = make_video(make_user("alice"), publish=True, caption="Sunset stroll")
    response = client.get(f"/v/{video['id']}")  # no account
    assert_html(response)
    page = parse(response.text)

    assert page.meta("og:type") == "video.other"
    assert page.meta("og:title") == "Sunset stroll"
    assert page.meta("og:video") == f"http://testserver/api/videos/{video['id']}/content"
    assert page.meta("og:image") == (
        f"http://testserver/api/videos/{video['id']}/content?variant=thumbnail"
    )
    assert page.meta("og:video:type") == "video/mp4"
    assert page.by_id("status-badge").text.strip() == "Published"
    assert page.by_id("publish-form") is None  # nothing to publish for a visitor
    assert page.by_id("delete") is None

    player = page.by_id("player")
    assert player.tag == "video"
    assert player.attrs["src"] == video["content_url"]
    assert player.attrs["poster"] == video["thumbnail_url"]
    assert "playsinline" in player.attrs and "controls" in player.attrs

    # What the tags point at plays for someone without an account.
    mp4 = client.get(page.meta("og:video"))
    assert mp4.status_code == 200 and mp4.headers["content-type"] == "video/mp4"
    with av.open(io.BytesIO(mp4.content), mode="r") as container:
        stream = container.streams.video[0]
        assert len(list(container.decode(stream))) > 0
    thumbnail = client.get(page.meta("og:image"))
    assert thumbnail.status_code == 200
    assert Image.open(io.BytesIO(thumbnail.content)).size[0] > 0


def test_video_page_shows_the_scene_description(
    client: TestClient, make_user: Callable[..., User],
    make_video: Callable[..., dict[str, Any]], parse: PageParser,
) -> None:
    video = make_video(make_user("alice"), prompt="a cat walks on the beach at sunset",
                       publish=True)
    page = parse(client.get(f"/v/{video['id']}").text)
    scene = page.by_id("scene")
    assert scene is not None and scene.tag == "details"
    shots = video["plan"]["shots"]
    assert len(page.find_all("section", class_="shot")) == len(shots)
    first = shots[0]
    assert first["setting"].replace("_", " ") in scene.text
    assert first["time_of_day"].replace("_", " ") in scene.text
    for subject in first["subjects"]:
        assert (subject.get("name") or subject["noun"]) in scene.text


def test_captions_and_prompts_are_shown_as_text_not_markup(
    client: TestClient, make_user: Callable[..., User],
    make_video: Callable[..., dict[str, Any]],
) -> None:
    video = make_video(make_user("alice"), publish=True,
                       caption='<img src=x onerror="alert(1)">')
    html = client.get(f"/v/{video['id']}").text
    assert "<img src=x" not in html
    assert "&lt;img src=x" in html


def test_profile_page_shows_the_person(
    client: TestClient, make_user: Callable[..., User], login: Callable[..., None],
    parse: PageParser,
) -> None:
    make_user("alice")
    response = client.get("/u/Alice")
    assert_html(response)
    page = parse(response.text)
    assert "@alice" in page.find("h1").text
    assert page.by_id("invites") is None  # invites are on your own profile only

    signed_in(client, make_user("bob"), login)
    own = parse(client.get("/u/bob").text)
    assert own.by_id("invites") is not None
    assert own.find("button", data_action="logout") is not None


def test_unknown_profile_and_video_are_friendly_404_pages(client: TestClient) -> None:
    for path in ("/u/nobody_here", "/v/vid_doesnotexist"):
        response = client.get(path)
        assert_html(response, 404)
        assert "Go home" in response.text


def test_manifest_makes_the_app_installable(client: TestClient) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = json.loads(response.text)
    assert manifest["name"] == "Kinema"
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/"
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", manifest["theme_color"])
    sizes = set()
    for icon in manifest["icons"]:
        served = client.get(icon["src"])
        assert served.status_code == 200, icon["src"]
        assert served.headers["content-type"] == "image/png"
        width, height = Image.open(io.BytesIO(served.content)).size
        assert icon["sizes"] == f"{width}x{height}"
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes


def test_pages_link_the_manifest_icons_and_theme_colour(
    client: TestClient, parse: PageParser
) -> None:
    page = parse(client.get("/").text)
    assert page.find("link", rel="manifest").attrs["href"] == "/manifest.webmanifest"
    assert page.meta("theme-color")
    assert "width=device-width" in page.meta("viewport")
    touch_icon = page.find("link", rel="apple-touch-icon").attrs["href"]
    assert client.get(touch_icon).status_code == 200


def test_service_worker_keeps_the_app_shell_and_never_api_data(client: TestClient) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    script = response.text
    found = re.search(r"const SHELL = (\[.*?\]);", script)
    assert found is not None
    shell = json.loads(found.group(1))
    assert shell and not any(url.startswith("/api") for url in shell)
    for url in shell:
        assert client.get(url).status_code == 200, url
    assert 'startsWith("/api/")' in script


@pytest.mark.parametrize("path", ["/", "/login", "/signup", "/create", "/drafts", "/u/alice"])
def test_every_script_and_stylesheet_a_page_uses_is_served(
    client: TestClient, make_user: Callable[..., User], login: Callable[..., None],
    parse: PageParser, path: str,
) -> None:
    signed_in(client, make_user("alice"), login)
    if path in ("/login", "/signup"):
        client.post("/api/auth/logout")
        client.headers.pop("X-CSRF-Token", None)
    response = client.get(path)
    assert_html(response)
    page = parse(response.text)
    scripts = page.find_all("script")
    # The pages' security policy forbids inline scripts: every script must be a file.
    assert scripts and all(script.attrs.get("src") for script in scripts)
    assets = [s.attrs["src"] for s in scripts]
    assets += [link.attrs["href"] for link in page.find_all("link", rel="stylesheet")]
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_emoji_font_named_by_the_stylesheet_is_served(client: TestClient) -> None:
    page_css = client.get("/static/app.css").text
    font_urls = re.findall(r'url\("(/[^"]+\.woff2)"\)', page_css)
    assert font_urls
    for url in font_urls:
        font = client.get(url)
        assert font.status_code == 200
        assert font.headers["content-type"] == "font/woff2"
        assert font.content[:4] == b"wOF2"


def test_signup_page_says_when_registration_is_closed(
    settings: Any, client: TestClient, parse: PageParser
) -> None:
    settings.registration = "closed"
    page = parse(client.get("/signup").text)
    assert page.by_id("signup-form") is None
    assert "not taking new members" in page.find("p", class_="lead").text
