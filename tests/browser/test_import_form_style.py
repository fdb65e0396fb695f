"""The "Import a plan" form draws its Format select as it draws its text fields (as the
app's other forms draw theirs), not as the browser's bare default."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

LOOK = """(selector) => {
  const element = document.querySelector(selector);
  const style = getComputedStyle(element);
  return {
    border: `${style.borderTopWidth} ${style.borderTopStyle} ${style.borderTopColor}`,
    radius: style.borderTopLeftRadius,
    padding: `${style.paddingTop} ${style.paddingLeft}`,
    background: style.backgroundColor,
    font: `${style.fontSize} ${style.fontFamily}`,
    height: Math.round(element.getBoundingClientRect().height),
  };
}"""


def test_the_format_select_looks_like_the_forms_text_fields(
    page_as: Callable[[str], Page],
) -> None:
    page = page_as("ben@example.com")
    page.goto("/import")
    select = page.evaluate(LOOK, "#f-format")
    text_field = page.evaluate(LOOK, "#f-key")
    assert select == text_field
    assert select["radius"] == "8px" and select["padding"] == "9px 12px"
    # the fields stand apart, the button keeps its own width
    gap = page.evaluate(
        "() => document.querySelector('#f-format').closest('.field').getBoundingClientRect().top"
        " - document.querySelector('#f-file').getBoundingClientRect().bottom"
    )
    assert gap >= 16
    button = page.get_by_role("button", name="Import").bounding_box()
    form = page.get_by_test_id("import-form").bounding_box()
    assert button is not None and form is not None and button["width"] < form["width"] / 2
    screenshot(page.get_by_test_id("import-form"), "import-form.png")
