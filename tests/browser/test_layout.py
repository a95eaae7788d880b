"""Nothing sticks out at 320×568 on any page, for any visitor, and every control is a 44 px
target; the phone menu is one row of tabs."""

import pytest

from .site_pages import demo_site, html_pages, sign_in

SMALL_PHONE = {"width": 320, "height": 568}

# What sticks out sideways, and short words broken in two ("Revo/ke"): one line per fault.
LAYOUT_FAULTS = """() => {
  const width = document.documentElement.clientWidth;
  const faults = [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.classList.length ? "." + [...el.classList].join(".") : "")
    + ' "' + (el.textContent || "").trim().slice(0, 30) + '"';
  if (document.documentElement.scrollWidth > width) {
    faults.push(`page is ${document.documentElement.scrollWidth}px wide in ${width}px`);
  }
  // Inside a box that scrolls sideways on purpose (a wide table), sticking out is allowed.
  const scrolls = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (style.overflowX === "auto" || style.overflowX === "scroll") return true;
    }
    return false;
  };
  const out = new Set();
  for (const el of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") continue;
    if (el.closest(".visually-hidden, .skip-link, [hidden]")) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if ((box.right > width + 0.5 || box.left < -0.5) && !scrolls(el)) {
      out.add(el);
      // The outermost box that sticks out names the fault; its children only follow it.
      if (!out.has(el.parentElement)) {
        faults.push(`${name(el)} spans ${Math.round(box.left)}..${Math.round(box.right)}px`);
      }
    }
    // Text cut off inside a box that hides what does not fit. A text field is left out: it
    // scrolls its own text to the caret by design (and an empty one reports the width of its
    // default 20 characters).
    const field = el.matches("input, textarea, select");
    const clips =
      !field && (["hidden", "clip"].includes(style.overflowX) || style.textOverflow === "ellipsis");
    if (clips && el.scrollWidth > el.clientWidth + 1 && !scrolls(el)) {
      faults.push(`${name(el)} clips its content (${el.scrollWidth}px in ${el.clientWidth}px)`);
    }
  }
  // A short word split over two lines reads as two words (a break at a hyphen is fine).
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    if (!text || /[\\s-]/.test(text) || text.length > 12) continue;
    const parent = node.parentElement;
    if (parent.closest(".visually-hidden, svg, script, style, [hidden]")) continue;
    range.selectNodeContents(node);
    const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
    if (lines.size > 1) faults.push(`the word "${text}" is broken over ${lines.size} lines`);
  }
  // Every control is a 44 px target; a link inside a sentence is part of the text.
  const inSentence = (el) => getComputedStyle(el).display === "inline"
    && [...el.parentElement.childNodes].some((node) => node !== el
      && node.nodeType === Node.TEXT_NODE && /[A-Za-z]/.test(node.textContent));
  const controls = "a[href], button, select, input:not([type=hidden]), textarea, summary";
  for (const el of document.body.querySelectorAll(controls)) {
    if (el.closest(".visually-hidden, .skip-link, [hidden], .table-scroll")) continue;
    let target = el;
    // A link stretched over its card (the routine cards) is as big as the card.
    if (getComputedStyle(el, "::after").position === "absolute" && el.offsetParent) {
      target = el.offsetParent;
    }
    if (el.matches("input[type=checkbox], input[type=radio]") && el.closest("label")) {
      target = el.closest("label");
    }
    const box = target.getBoundingClientRect();
    if (box.width === 0 || getComputedStyle(target).visibility === "hidden") continue;
    if (el.matches("a") && inSentence(el)) continue;
    if (box.height < 43.5 || box.width < 43.5) {
      const size = `${Math.round(box.width)}x${Math.round(box.height)}px`;
      faults.push(`${name(target)} is a ${size} target`);
    }
  }
  return faults;
}"""


@pytest.fixture
def site(live_app):
    return demo_site(live_app)


@pytest.fixture
def small_page(browser, live_server, console_errors):
    context = browser.new_context(viewport=SMALL_PHONE, base_url=live_server.url, has_touch=True)
    page = context.new_page()
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    yield page
    context.close()


def layout_faults(page, urls) -> list[str]:
    faults = []
    for url in html_pages(page, urls):
        page.goto(url)
        faults += [f"{url}: {fault}" for fault in page.evaluate(LAYOUT_FAULTS)]
    return faults


@pytest.mark.parametrize("who", ["signed out", "patient", "clinician"])
def test_no_page_overflows_at_320(small_page, site, who):
    if who != "signed out":
        sign_in(small_page, *site["logins"][who])
    faults = layout_faults(small_page, site["urls"])
    assert not faults, "\n".join(faults)


@pytest.mark.parametrize("who", ["signed out", "patient", "clinician"])
def test_phone_menu_is_one_row_of_tabs_at_the_foot(small_page, site, who):
    if who != "signed out":
        sign_in(small_page, *site["logins"][who])
    small_page.goto("/routines")
    header = small_page.locator(".site-header").bounding_box()
    assert header["height"] <= 50, "the header is one row"
    tabs = small_page.locator(".site-nav .tab")
    boxes = [tabs.nth(i).bounding_box() for i in range(tabs.count())]
    assert 3 <= len(boxes) <= 5
    assert len({round(box["y"]) for box in boxes}) == 1, "the tabs are one row"
    assert all(box["height"] >= 44 and box["width"] >= 44 for box in boxes)
    assert boxes[0]["y"] + boxes[0]["height"] <= SMALL_PHONE["height"] + 0.5
    assert boxes[0]["y"] >= SMALL_PHONE["height"] - 70, "the tabs sit at the foot of the screen"
    current = small_page.locator(".site-nav [aria-current]")
    assert current.count() == 1 and current.inner_text() == "Routines"
    # The foot of the page can be scrolled clear of the tabs.
    small_page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    footer = small_page.locator(".site-footer").bounding_box()
    tab_top = boxes[0]["y"]
    assert footer["y"] + footer["height"] <= tab_top + 1


def test_desktop_keeps_a_menu_in_the_header(browser, live_server, site):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url)
    page = context.new_page()
    sign_in(page, *site["logins"]["patient"])
    page.goto("/dashboard")
    header = page.locator(".site-header").bounding_box()
    for label in ("Home", "Routines", "Log", "Progress", "Account", "Sharing", "Sign out"):
        item = page.locator(".site-header").get_by_text(label, exact=True)
        box = item.bounding_box()
        assert box and header["y"] <= box["y"] <= header["y"] + header["height"], label
    assert page.locator(".site-nav [aria-current=page]").inner_text() == "Progress"
    context.close()
