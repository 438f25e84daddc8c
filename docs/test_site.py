"""The built course site (docs/build.py): offline, chapters in both languages, no broken links.

Run after the build:  python -m pytest -q docs/test_site.py  (CRMSTUDY_SITE=folder of index.html,
default build/site/html).  CI (.ci/run) builds the site and runs this file.

* no page loads anything from another host: no remote ``<script src>``, ``<link href>``,
  ``<img src>``, CSS ``@import`` or ``url()`` (fonts), checked in every HTML and CSS file, and in
  the browser every resource a chapter page fetched came from the local server;
* a headless Chromium (Debian packages ``chromium`` and ``chromium-driver``, driven by
  selenium) opens the first chapter of each language, finds its title, and checks that every
  figure loaded (``naturalWidth > 0``), that Chinese prose has no stray spaces, and that the exercise solutions are hidden behind closed
  toggles; a screenshot per language (page top, and its first figure) is saved beside the site
  (``../screenshots``);
* every local link and resource reachable from the index (pages, images, scripts, styles,
  and ``#fragment`` targets) exists.
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import tempfile
import threading
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = Path(os.environ.get("CRMSTUDY_SITE", ROOT / "build" / "site" / "html")).resolve()
TITLES = {"zh": re.compile(r"^第 ?\d+ ?章"), "en": re.compile(r"^Chapter \d+")}
REMOTE = re.compile(r"^(?:https?:)?//", re.I)
CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-dev-shm-usage", "--window-size=1280,1600"]


@pytest.fixture(scope="module")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        pytest.fail(f"no site at {SITE}: build it first with python docs/build.py")
    return SITE


class _Links(HTMLParser):
    """Resources (loaded by the page) and links (followed by the reader) of one HTML page."""

    def __init__(self):
        super().__init__()
        self.resources, self.links, self.ids, self.styles = [], [], set(), []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag in ("script", "img", "iframe", "source", "video", "audio", "embed") and a.get("src"):
            self.resources.append(a["src"])
        if tag == "link" and a.get("href"):
            rel = (a.get("rel") or "").lower()
            (self.resources if rel in ("stylesheet", "preload", "icon", "shortcut icon",
                                       "modulepreload", "prefetch", "manifest")
             else self.links).append(a["href"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if a.get("style"):
            self.styles.append(a["style"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def _parse(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8", errors="replace"))
    return parser


def _remote_in_css(text: str) -> list[str]:
    found = re.findall(r"@import\s+(?:url\()?\s*['\"]?([^'\")\s;]+)", text)
    found += re.findall(r"url\(\s*['\"]?([^'\")]+)", text)
    return [u for u in found if REMOTE.match(u.strip())]


def test_no_page_loads_anything_from_the_internet(site):
    problems = []
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        parsed = _parse(page)
        problems += [f"{page.relative_to(site)}: {u}" for u in parsed.resources if REMOTE.match(u)]
        problems += [f"{page.relative_to(site)}: {u}" for s in parsed.styles for u in _remote_in_css(s)]
    for css in site.rglob("*.css"):
        problems += [f"{css.relative_to(site)}: {u}"
                     for u in _remote_in_css(css.read_text(encoding="utf-8", errors="replace"))]
    assert not problems, "remote resources:\n" + "\n".join(problems)
    # MathJax is served from the site itself
    mathjax = [u for p in pages[:50] for u in _parse(p).resources if "mathjax" in u.lower()]
    assert all(not REMOTE.match(u) for u in mathjax)
    assert (site / "_static" / "mathjax" / "tex-chtml.js").is_file()


def test_every_local_link_and_resource_exists(site):
    seen, queue, broken = set(), [site / "index.html"], []
    ids: dict[Path, set] = {}
    fragments = []
    while queue:
        page = queue.pop()
        if page in seen:
            continue
        seen.add(page)
        parsed = _parse(page)
        ids[page] = parsed.ids
        for url in parsed.resources + parsed.links:
            if REMOTE.match(url) or url.startswith(("mailto:", "javascript:", "data:")):
                continue
            parts = urlsplit(url)
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(site)} -> {url}")
                continue
            if target.suffix == ".html":
                queue.append(target)
                if parts.fragment:
                    fragments.append((page, target, parts.fragment, url))
    for page, target, fragment, url in fragments:
        if target in ids and unquote(fragment) not in ids[target]:
            broken.append(f"{page.relative_to(site)} -> {url} (no such anchor)")
    assert not broken, "broken links:\n" + "\n".join(sorted(set(broken)))
    for lang in ("zh", "en"):   # the crawl reached the chapters of both languages and the API
        assert any(p.parent.name == lang and p.name[:2].isdigit() for p in seen), lang
    assert any(p.parent.name == "generated" for p in seen)


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not binary or not driver_path:
        pytest.fail("Chromium is missing: apt-get install -y chromium chromium-driver")
    profile = tempfile.mkdtemp(prefix="crmstudy-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in CHROME_FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_chapter_opens_with_its_title_and_figures(site, server, browser, lang):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    chapters = sorted(p.name for p in (site / lang).glob("[0-9][0-9]_*.html"))
    assert chapters, f"no {lang} chapter in the site"
    browser.get(f"{server}/{lang}/{chapters[0]}")
    WebDriverWait(browser, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")
    title = browser.find_element(By.CSS_SELECTOR, "article h1").text.strip().rstrip("#¶ ")
    assert TITLES[lang].match(title), title
    images = browser.find_elements(By.CSS_SELECTOR, "article img")
    assert len(images) >= 3, f"{chapters[0]}: only {len(images)} figures"
    WebDriverWait(browser, 30).until(lambda d: all(
        d.execute_script("return arguments[0].complete", img) for img in images))
    widths = [browser.execute_script("return arguments[0].naturalWidth", img) for img in images]
    assert all(w > 0 for w in widths), widths
    if lang == "zh":   # no stray space between two Chinese characters in the prose
        paragraphs = browser.execute_script(
            "return Array.from(document.querySelectorAll('article p, article li')).map(p => p.textContent)")
        stray = [m.group() for p in paragraphs
                 for m in re.finditer(r"[\u4e00-\u9fff，。；：、）]\s+[\u4e00-\u9fff（]", p)]
        assert paragraphs and not stray, stray
    # exercise solutions are there, hidden behind closed toggles
    hidden = browser.execute_script(
        "return Array.from(document.querySelectorAll('article details.hide')).map(d => d.open)")
    assert len(hidden) >= 3 and not any(hidden), hidden
    fetched = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    assert fetched and all(u.startswith(server) for u in fetched), \
        [u for u in fetched if not u.startswith(server)]
    shots = site.parent / "screenshots"
    shots.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(shots / f"{lang}_{Path(chapters[0]).stem}.png"))
    assert images[0].screenshot(str(shots / f"{lang}_{Path(chapters[0]).stem}_figure1.png"))
