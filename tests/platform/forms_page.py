"""Reads a rendered form page as a browser would: what each control holds, and which message describes it."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Control:
    tag: str
    attrs: dict[str, str]
    text: str = ""  # a textarea's content
    selected: list[str] = field(default_factory=list)  # a select's chosen values

    @property
    def value(self) -> str | list[str]:
        if self.tag == "textarea":
            return self.text.removeprefix("\n")
        if self.tag == "select":
            return self.selected
        return self.attrs.get("value", "")


class FormPage(HTMLParser):
    """`page.controls[name]` (every control of that name), `page.text_of(id)` (an element's text)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.controls: dict[str, list[Control]] = {}
        self._texts: dict[str, list[str]] = {}
        self._open_ids: list[tuple[str, str]] = []  # (tag, id) of the elements with an id being read
        self._textarea: Control | None = None
        self._select: Control | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {key: value or "" for key, value in attrs}
        if "id" in attributes and tag not in {"input", "br", "img", "meta", "link"}:
            self._open_ids.append((tag, attributes["id"]))
            self._texts.setdefault(attributes["id"], [])
        name = attributes.get("name")
        if tag in {"input", "textarea", "select"} and name:
            control = Control(tag, attributes)
            self.controls.setdefault(name, []).append(control)
            if tag == "textarea":
                self._textarea = control
            elif tag == "select":
                self._select = control
        if tag == "option" and self._select is not None and "selected" in attributes:
            self._select.selected.append(attributes.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        for index in range(len(self._open_ids) - 1, -1, -1):
            if self._open_ids[index][0] == tag:
                del self._open_ids[index]
                break

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.text += data
        for _tag, element_id in self._open_ids:
            self._texts[element_id].append(data)

    def text_of(self, element_id: str) -> str:
        return " ".join("".join(self._texts.get(element_id, [])).split())

    def control(self, name: str) -> Control:
        controls = self.controls.get(name)
        assert controls, f"no control named {name!r} on the page"
        return controls[0]

    def value(self, name: str) -> str | list[str] | bool:
        """What the browser would send for `name`: a box's ticked state, the chosen radio or boxes of a group."""
        controls = self.controls.get(name)
        assert controls, f"no control named {name!r} on the page"
        kind = controls[0].attrs.get("type")
        if kind == "checkbox" and len(controls) == 1 and "value" not in controls[0].attrs:
            return "checked" in controls[0].attrs
        if kind in {"checkbox", "radio"}:
            chosen = [control.attrs.get("value", "") for control in controls if "checked" in control.attrs]
            return chosen[0] if kind == "radio" and len(chosen) == 1 else chosen
        return controls[0].value

    def described_by(self, name: str) -> str:
        """The text of the elements the control's aria-describedby names (its help and its errors)."""
        ids = self.control(name).attrs.get("aria-describedby", "").split()
        return " ".join(self.text_of(element_id) for element_id in ids)
