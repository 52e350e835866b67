"""Which elements a browser would not show, from the page's own CSS.

Injectors hide spam from readers but not from search engines: ``display:none``
or ``visibility:hidden``, a zero font size, text coloured like what is behind
it, off-screen positioning (``left:-9999px``, ``text-indent:-9999px``), a box
of zero height with hidden overflow, a one-pixel ``<marquee>``, often through a
class or id rule in a ``<style>`` block rather than an inline style.

``StyleResolver`` parses the page's ``<style>`` blocks and inline styles with
tinycss2, matches selectors with cssselect (compiled to XPath, on the lxml
tree), and cascades only what hiding needs: the properties below, later and
more specific rules winning, ``!important`` and inline styles as in CSS.
Rules under ``@media print`` or a conditional media query (a narrow screen)
do not hide anything on a desktop screen and are left out; dynamic
pseudo-classes (``:hover``) never match.  Whether hidden content is *spam* is
decided elsewhere (crawler/spam/dom.py): legitimate pages hide menus, skip
links and screen-reader text too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import cssselect
import tinycss2
import tinycss2.color3
from lxml import etree

logger = logging.getLogger(__name__)

# The properties hiding depends on; every other declaration is dropped at parse.
PROPERTIES = frozenset((
    "display", "visibility", "opacity", "position", "left", "top", "right", "margin-left", "margin-top",
    "text-indent", "font-size", "height", "width", "max-height", "max-width", "overflow", "overflow-x",
    "overflow-y", "color", "background-color", "background", "background-image", "clip", "transform",
))
OFFSCREEN_PX = -500.0  # further left or up than any screen scrolls
TINY_PX = 1.0  # a font size or box no reader can read
MIN_CONTRAST = 1.25  # WCAG contrast ratio under which text is not told from its background
_FONT_KEYWORDS = {"xx-small": 9.0, "x-small": 10.0, "small": 13.0, "medium": 16.0, "large": 18.0,
                  "x-large": 24.0, "xx-large": 32.0, "smaller": 13.0, "larger": 19.0}
_DYNAMIC = (":hover", ":focus", ":active", ":visited", ":target", ":checked", "::", ":before", ":after")
_TRANSLATOR = cssselect.HTMLTranslator()

Declarations = dict[str, tuple[str, bool]]  # property -> (lower-cased value, !important)
Colour = tuple[float, float, float, float]


@dataclass(frozen=True)
class StyleRule:
    """One selector of a style rule, with the hiding-relevant declarations it sets."""

    selector: str
    xpath: etree.XPath
    specificity: tuple[int, int, int]
    order: int
    declarations: Declarations


def parse_declarations(text: str | Iterable[Any]) -> Declarations:
    """The relevant declarations of a style attribute or rule body (later wins, unless !important)."""
    found: Declarations = {}
    items = tinycss2.parse_blocks_contents(text, skip_comments=True, skip_whitespace=True)
    for item in items:
        if item.type != "declaration" or item.lower_name not in PROPERTIES:
            continue
        value = tinycss2.serialize(item.value).strip().lower()
        previous = found.get(item.lower_name)
        if previous is None or item.important or not previous[1]:
            found[item.lower_name] = (value, item.important)
    return found


@lru_cache(maxsize=1024)
def _inline_style(style: str) -> Declarations:
    """``parse_declarations`` of a style attribute (cached: templates repeat them)."""
    return parse_declarations(style) if style else {}


def parse_style(style: str | None) -> dict[str, str]:
    """Inline CSS declarations (the relevant ones), lower-cased, ``!important`` dropped."""
    return {name: value for name, (value, _) in parse_declarations(style or "").items()}


def _media_applies(prelude: list[Any]) -> bool:
    """A desktop screen: ``screen``/``all`` without conditions (no print, no width query)."""
    query = tinycss2.serialize(prelude).strip().lower()
    return all(part.strip() in {"", "screen", "all", "only screen"} for part in query.split(","))


def _qualified_rules(nodes: Iterable[Any]) -> Iterator[Any]:
    for node in nodes:
        if node.type == "qualified-rule":
            yield node
        elif node.type == "at-rule" and node.lower_at_keyword == "media" and node.content is not None:
            if _media_applies(node.prelude):
                yield from _qualified_rules(tinycss2.parse_rule_list(node.content, skip_comments=True, skip_whitespace=True))


@lru_cache(maxsize=256)
def parse_stylesheet(css: str) -> tuple[StyleRule, ...]:
    """The relevant rules of one ``<style>`` block, one per selector (cached: a site's
    template repeats the same block on every page)."""
    rules: list[StyleRule] = []
    for order, node in enumerate(_qualified_rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))):
        declarations = parse_declarations(node.content)
        if not declarations:
            continue
        prelude = tinycss2.serialize(node.prelude).strip()
        for selector_text in prelude.split(","):
            selector_text = selector_text.strip()
            if not selector_text or any(mark in selector_text for mark in _DYNAMIC):
                continue
            try:
                selector = cssselect.parse(selector_text)[0]
                xpath = etree.XPath(_TRANSLATOR.selector_to_xpath(selector))
            except (cssselect.SelectorError, cssselect.xpath.ExpressionError, etree.XPathError, IndexError):
                logger.debug("css: cannot use selector %r", selector_text)
                continue
            rules.append(StyleRule(selector_text, xpath, selector.specificity(), order, declarations))
    return tuple(rules)


# ---------------------------------------------------------------- values


def _first_token(value: str) -> Any:
    for token in tinycss2.parse_component_value_list(value, skip_comments=True):
        if token.type != "whitespace":
            return token
    return None


_SIMPLE_LENGTH_RE = re.compile(r"\s*(-?(?:\d+\.?\d*|\.\d+))(px|em)?\s*$")


def length_px(value: str | None, *, relative_to: float = 16.0) -> float | None:
    """A CSS length in pixels (em and % relative to ``relative_to``); None when not a length."""
    if not value:
        return None
    simple = _SIMPLE_LENGTH_RE.match(value)
    if simple:  # the common "12px", "0", "-9999px" without the tokenizer
        number = float(simple.group(1))
        return number * relative_to if simple.group(2) == "em" else number
    token = _first_token(value)
    if token is None:
        return None
    if token.type == "number":
        return float(token.value)
    if token.type == "percentage":
        return float(token.value) * relative_to / 100
    if token.type == "dimension":
        unit = token.lower_unit
        factor = {"px": 1.0, "em": relative_to, "rem": 16.0, "pt": 4 / 3, "pc": 16.0, "cm": 37.8, "mm": 3.78,
                  "in": 96.0, "q": 0.945, "ex": relative_to / 2, "ch": relative_to / 2, "vw": 12.8, "vh": 8.0}.get(unit)
        return float(token.value) * factor if factor is not None else None
    if token.type == "ident" and token.lower_value in _FONT_KEYWORDS:
        return _FONT_KEYWORDS[token.lower_value]
    return None


def colour(value: str | None) -> Colour | None:
    """An RGBA colour (0-1 floats) from a CSS colour or a ``background`` shorthand; None if none."""
    if not value:
        return None
    for token in tinycss2.parse_component_value_list(value, skip_comments=True):
        if token.type == "whitespace":
            continue
        parsed = tinycss2.color3.parse_color(token)
        if parsed is not None and parsed != "currentColor":
            return (parsed.red, parsed.green, parsed.blue, parsed.alpha)
    return None


def _luminance(rgba: Colour) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    red, green, blue, _ = rgba
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(first: Colour, second: Colour) -> float:
    """WCAG contrast ratio of two opaque colours (1: identical, 21: black on white)."""
    a, b = sorted((_luminance(first), _luminance(second)))
    return (b + 0.05) / (a + 0.05)


def hiding_reason(declarations: dict[str, str], *, page_background: str | None = None,
                  own_background: str | None = None) -> str | None:
    """Why one element's own declarations hide it, or None (colour against a
    given background; ``StyleResolver`` resolves the background through ancestors)."""
    display = declarations.get("display", "")
    if display == "none":
        return "display-none"
    if declarations.get("visibility") in {"hidden", "collapse"}:
        return "visibility-hidden"
    opacity = length_px(declarations.get("opacity"))
    if opacity is not None and opacity <= 0.01:
        return "opacity-zero"
    if declarations.get("position") in {"absolute", "fixed", "relative"}:
        for side in ("left", "top", "right"):
            offset = length_px(declarations.get(side))
            if offset is not None and offset <= OFFSCREEN_PX:
                return "offscreen"
    for side in ("margin-left", "margin-top", "text-indent"):
        offset = length_px(declarations.get(side))
        if offset is not None and offset <= OFFSCREEN_PX:
            return "offscreen"
    transform = declarations.get("transform", "")
    if "translate" in transform and any(
        (length_px(part) or 0) <= OFFSCREEN_PX for part in transform.replace("(", " ").replace(",", " ").split()
    ):
        return "offscreen"
    font_size = length_px(declarations.get("font-size"))
    if font_size is not None and font_size <= TINY_PX:
        return "font-size"
    overflow = {declarations.get(name, "") for name in ("overflow", "overflow-x", "overflow-y")}
    clips = bool(overflow & {"hidden", "clip"})
    height = length_px(declarations.get("height"))
    width = length_px(declarations.get("width"))
    max_height = length_px(declarations.get("max-height"))
    if clips and any(size is not None and size <= TINY_PX for size in (height, width, max_height)):
        return "zero-size"
    if height is not None and width is not None and height <= TINY_PX and width <= TINY_PX:
        return "zero-size"
    clip = declarations.get("clip", "")
    if clip.startswith("rect(") and declarations.get("position") in {"absolute", "fixed"} and not any(
        (length_px(part) or 0) > TINY_PX for part in clip[5:].replace(",", " ").rstrip(")").split()
    ):
        return "clipped"
    text_colour = colour(declarations.get("color"))
    if text_colour is not None and text_colour[3] <= 0.01:
        return "colour"
    background = colour(declarations.get("background-color") or declarations.get("background")) or colour(own_background)
    background = background if background is not None and background[3] > 0.5 else colour(page_background)
    if text_colour is not None and background is not None and contrast(text_colour, background) < MIN_CONTRAST:
        return "colour"
    return None


# ---------------------------------------------------------------- the cascade

_GROUPS = (
    frozenset(("position", "left", "top", "right", "margin-left", "margin-top", "text-indent", "transform", "clip")),
    frozenset(("overflow", "overflow-x", "overflow-y", "height", "width", "max-height", "max-width")),
    frozenset(("color", "background", "background-color", "background-image")),
)
_REASON_PROPERTIES = {
    "display-none": ("display",), "visibility-hidden": ("visibility",), "opacity-zero": ("opacity",),
    "offscreen": tuple(_GROUPS[0]), "font-size": ("font-size",), "zero-size": tuple(_GROUPS[1]),
    "clipped": ("clip",), "colour": ("color",),
}
_BACKGROUND = ("background", "background-color", "background-image")
_NEVER_HIDDEN = frozenset(("html", "body", "head", "script", "style", "template", "noscript", "input", "option", "select"))
Cascaded = dict[str, tuple[str, bool]]  # property -> (value, set by a stylesheet rule rather than inline)


def _style_applies(element: Any) -> bool:
    kind = (element.get("type") or "text/css").strip().lower()
    media = (element.get("media") or "all").strip().lower()
    return kind in {"text/css", ""} and all(part.strip() in {"", "screen", "all"} for part in media.split(","))


class StyleResolver:
    """The hiding-relevant cascade of one parsed page (build once per page)."""

    def __init__(self, root: Any, style_elements: Iterable[Any] = (), linked: Sequence[str] = ()) -> None:
        self.root = root
        self.rules: list[StyleRule] = []
        # Linked stylesheets (crawler/spam/stylesheets.py) come before the page's own blocks.
        texts = [*linked, *(e.text for e in style_elements if e.text and _style_applies(e))]
        for block, text in enumerate(texts):
            for rule in parse_stylesheet(text):
                self.rules.append(StyleRule(rule.selector, rule.xpath, rule.specificity,
                                            block * 100_000 + rule.order, rule.declarations))
        self._matches: dict[int, set[Any]] = {}
        self._inline: dict[Any, Declarations] = {}
        self._backgrounds: dict[Any, Colour | None | bool] = {}
        self._known_backgrounds: list[Colour] | None = None

    # -- matching ------------------------------------------------------------
    def _matched(self, index: int) -> set[Any]:
        found = self._matches.get(index)
        if found is None:
            try:
                found = set(self.rules[index].xpath(self.root))
            except etree.XPathError:
                found = set()
            self._matches[index] = found
        return found

    def _inline_declarations(self, element: Any) -> Declarations:
        found = self._inline.get(element)
        if found is None:
            found = _inline_style(element.get("style") or "")
            self._inline[element] = found
        return found

    def cascaded(self, element: Any, names: Iterable[str]) -> Cascaded:
        """The winning value of each property in ``names`` declared on ``element`` itself."""
        wanted = set(names)
        best: dict[str, tuple[tuple[Any, ...], str, bool]] = {}
        # Presentational attributes: below every author rule.
        if "color" in wanted and element.tag == "font" and element.get("color"):
            best["color"] = ((False, -1, (0, 0, 0), -1), element.get("color", "").strip().lower(), False)
        if wanted & set(_BACKGROUND) and element.get("bgcolor"):
            best["background-color"] = ((False, -1, (0, 0, 0), -1), element.get("bgcolor", "").strip().lower(), False)
        for index, rule in enumerate(self.rules):
            names_here = wanted.intersection(rule.declarations)
            if not names_here or element not in self._matched(index):
                continue
            for name in names_here:
                value, important = rule.declarations[name]
                key = (important, 0, rule.specificity, rule.order)
                if name not in best or key > best[name][0]:
                    best[name] = (key, value, True)
        for name, (value, important) in self._inline_declarations(element).items():
            if name in wanted:
                key = (important, 1, (0, 0, 0), 0)
                if name not in best or key > best[name][0]:
                    best[name] = (key, value, False)
        return {name: (value, from_rule) for name, (_, value, from_rule) in best.items()}

    # -- backgrounds -----------------------------------------------------------
    def background(self, element: Any) -> Colour | None:
        """The solid colour behind ``element`` (its own or an ancestor's; white at the
        top); None when an image or a translucent layer makes it unknown."""
        node = element
        chain: list[Any] = []
        result: Colour | None | bool = None
        while node is not None:
            if node in self._backgrounds:
                result = self._backgrounds[node]
                break
            chain.append(node)
            declared = self.cascaded(node, _BACKGROUND)
            image = declared.get("background-image", ("", False))[0]
            shorthand = declared.get("background", ("", False))[0]
            if "url(" in image or "gradient" in image or "url(" in shorthand or "gradient" in shorthand:
                result = False  # an image: what is behind the text is not known
                break
            solid = colour(declared.get("background-color", ("", False))[0]) or colour(shorthand)
            if solid is not None and solid[3] > 0.5:
                result = solid
                break
            node = node.getparent()
        if result is None and node is None:
            result = (1.0, 1.0, 1.0, 1.0)
        for visited in chain:
            self._backgrounds[visited] = result
        return result if result is not False else None  # type: ignore[return-value]

    # -- hidden elements ---------------------------------------------------------
    def _page_backgrounds(self) -> list[Colour]:
        """Every solid background the page declares (white underneath): a colour rule can
        only hide text when its colour is close to one of them."""
        if self._known_backgrounds is None:
            found = [(1.0, 1.0, 1.0, 1.0)]
            values = [value for rule in self.rules for name, (value, _) in rule.declarations.items() if name in _BACKGROUND]
            for element in _BACKGROUND_CARRIERS(self.root):
                values.append(element.get("bgcolor") or "")
                values.extend(value for name, (value, _) in self._inline_declarations(element).items() if name in _BACKGROUND)
            for value in values:
                solid = colour(value)
                if solid is not None and solid[3] > 0.5 and solid not in found:
                    found.append(solid)
            self._known_backgrounds = found
        return self._known_backgrounds

    @staticmethod
    def rule_may_hide(rule: StyleRule) -> bool:
        """Whether a rule hides whatever it selects, whatever the page (colour aside)."""
        return hiding_reason({name: value for name, (value, _) in rule.declarations.items()}) is not None

    def _can_hide(self, rule: StyleRule) -> bool:
        values = {name: value for name, (value, _) in rule.declarations.items()}
        text_colour = colour(values.pop("color", None))
        if text_colour is not None and (text_colour[3] <= 0.01 or any(
            contrast(text_colour, behind) < MIN_CONTRAST for behind in self._page_backgrounds()
        )):
            return True
        return hiding_reason(values) is not None

    def candidates(self) -> list[Any]:
        """Elements something may hide, in document order: styled inline, ``hidden``,
        ``<marquee>``, coloured ``<font>``, or selected by a rule that can hide."""
        # Attribute look-ups are the cheap way through a whole page (no Python per element).
        inline = list(dict.fromkeys(attribute.getparent() for attribute in _INLINE_CANDIDATES(self.root)))
        marquees = list(self.root.iter("marquee"))
        selected: set[Any] = set()
        for index, rule in enumerate(self.rules):
            if self._can_hide(rule):
                selected.update(self._matched(index))
        found: list[Any] = inline
        if marquees or selected - set(inline):
            selected.update(marquees)
            # Numbering every element is the costly part: only when rules add candidates.
            order = {element: position for position, element in enumerate(self.root.iter())}
            found = sorted(selected.union(inline), key=lambda e: order.get(e, -1))
        return [e for e in found if isinstance(e.tag, str) and e.tag not in _NEVER_HIDDEN]

    def hiding(self, element: Any) -> tuple[str, bool] | None:
        """(reason, decided by a stylesheet rule) when ``element`` itself is hidden."""
        names: set[str] = set(self._inline_declarations(element))
        for index, rule in enumerate(self.rules):
            if element in self._matches.get(index, ()):
                names.update(rule.declarations)
        for group in _GROUPS:
            if names & group:
                names |= group
        if element.tag == "font" and element.get("color"):
            names |= _GROUPS[2]
        declared = self.cascaded(element, names)
        values = {name: value for name, (value, _) in declared.items()}
        if element.tag == "marquee":
            return self._marquee(element, values)
        if element.get("hidden") is not None and values.get("display", "none") == "none":
            return "hidden-attribute", False
        colour_declared = "color" in values
        text_colour = values.pop("color", None)
        reason = hiding_reason(values)
        if reason is None and colour_declared:
            reason = self._colour_reason(element, text_colour or "")
        if reason is None or self._descendant_shows(element, reason):
            return None
        from_rule = any(declared.get(name, ("", False))[1] for name in _REASON_PROPERTIES[reason])
        return reason, from_rule

    def _colour_reason(self, element: Any, value: str) -> str | None:
        text_colour = colour(value)
        if text_colour is None:
            return None
        if text_colour[3] <= 0.01:
            return "colour"
        behind = self.background(element)
        if behind is None or contrast(text_colour, behind) >= MIN_CONTRAST:
            return None
        return "colour"

    def _marquee(self, element: Any, values: dict[str, str]) -> tuple[str, bool] | None:
        for attribute in ("width", "height"):
            if element.get(attribute) and attribute not in values:
                values[attribute] = element.get(attribute, "").strip()
        values.setdefault("overflow", "hidden")
        reason = hiding_reason(values)
        if reason is None:
            amount = length_px(element.get("scrollamount"))
            reason = "fast" if amount is not None and amount >= 500 else None
        return (f"marquee-{reason}", False) if reason else None

    def _descendant_shows(self, element: Any, reason: str) -> bool:
        """A descendant that undoes an inherited hiding (``font-size:0`` on a list
        whose items set their own size: a layout trick, not hiding)."""
        if reason not in {"font-size", "visibility-hidden", "colour"}:
            return False
        name = {"font-size": "font-size", "visibility-hidden": "visibility", "colour": "color"}[reason]
        for descendant in element.iterdescendants():
            if not isinstance(descendant.tag, str):
                continue
            value = self.cascaded(descendant, (name,)).get(name)
            if value is None:
                continue
            if name == "font-size":
                size = length_px(value[0], relative_to=0.0)
                if size is not None and size > TINY_PX:
                    return True
            elif name == "visibility":
                if value[0] == "visible":
                    return True
            elif self._colour_reason(descendant, value[0]) is None and (descendant.text or "").strip():
                return True
        return False

    def hidden_elements(self) -> list[tuple[Any, str]]:
        """(element, rule) for each outermost hidden element, in document order; the rule is
        ``<reason>`` for inline styles and attributes, ``class:<reason>`` for stylesheet rules."""
        found: list[tuple[Any, str]] = []
        hidden: set[Any] = set()
        for element in self.candidates():
            if any(ancestor in hidden for ancestor in element.iterancestors()):
                continue
            verdict = self.hiding(element)
            if verdict is None:
                continue
            reason, from_rule = verdict
            hidden.add(element)
            found.append((element, f"class:{reason}" if from_rule else reason))
        return found


_BACKGROUND_CARRIERS = etree.XPath("//*[@bgcolor or contains(@style, 'background')]")
_INLINE_CANDIDATES = etree.XPath("//@style|//@hidden|//font/@color")
