"""Text that did not come from our code (workbooks, the store, the link, the user) shown literally by Streamlit.

Every Streamlit element that shows a string reads it as Markdown: st.markdown, st.caption, st.title and the
headers, st.write of a string, the alerts (st.info, st.success, st.warning, st.error), and the labels and help
texts of widgets, metrics, buttons and expanders. Such an element must receive a value from outside only through
`literal`. Elements that show text as it is need no escaping, and must not get it (the backslashes would show):
st.text, st.code, st.dataframe and st.data_editor cells and column labels, and the options of st.selectbox and
st.multiselect (their format_func). The dashboard never passes unsafe_allow_html (a test keeps it so).
"""

from __future__ import annotations

import re

# CommonMark lets a backslash escape any ASCII punctuation character, and reads it as that character: escaping
# all of them covers emphasis, links and images, code, HTML and entities, headings, lists, block quotes, tables,
# and Streamlit's own :colour[...], :material/icon:, :emoji: and $math$.
_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
# GitHub-flavoured Markdown also turns bare web and e-mail addresses into links, after the escapes are read,
# so a backslash cannot stop it. An invisible WORD JOINER (U+2060) inside the pattern does: the address is
# shown as typed but is no link.
WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)")
_LINE_BREAKS = re.compile(r"[ \t]*(?:\r\n|\r|\n)+[ \t]*")


def literal(value) -> str:
    """Return `value` as text that a Markdown-rendering Streamlit element shows exactly as written.

    Markdown and HTML characters are backslash-escaped, web and e-mail addresses cannot become links, and
    line breaks stay line breaks. None gives "".
    """
    if value is None:
        return ""
    text = _AUTOLINK.sub(WORD_JOINER, str(value))
    text = _PUNCTUATION.sub(r"\\\1", text)
    # A line break inside a paragraph is a soft break (a space); a backslash at the end of a line is a hard one.
    # Blank lines would start a new block, where "    " would make code, so a run of breaks is one break.
    return _LINE_BREAKS.sub("\\\\\n", text)


def literal_list(values, separator: str = ", ") -> str:
    """Return the values, each made literal, joined by `separator` (which is ours, so not escaped)."""
    return separator.join(literal(v) for v in values)


def shown(markdown: str) -> str:
    """Return what a reader sees of text made with `literal`: the escapes and word joiners removed (for tests)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(WORD_JOINER, "").replace("\\\n", "\n")
