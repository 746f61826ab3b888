"""The monitor query language: ``parse_query(text)`` gives a ``Query`` whose ``matches(mention)``.

Syntax (operators are UPPERCASE; matching is case-insensitive on whole words of title + body)::

    acme                      the word "acme" (not "acmeology"; "Acme's" matches)
    integrat*                 any word starting with "integrat" (at least 2 letters before *)
    "customer support"        the words next to each other, in this order
    a AND b, a b              both (adjacent terms are joined by an implicit AND)
    a OR b                    either
    NOT a, -a                 not a; ``a NOT b`` reads as ``a AND NOT b``
    (a OR b) c                parentheses group
    acme NEAR/3 support       both, with at most 3 other words between them, in either order;
                              each side is a word, a phrase, another NEAR or an (x OR y) group
    site:example.com          the mention's URL is on example.com or a subdomain of it;
                              ``site:reddit.com/r/acme`` also requires that path (or below it)
    author:jane, author:"Jane Doe", author:jan*
    lang:en                   the detected language (ISO 639-1)
    kind:review               the mention kind (review, post, comment, question, answer, article)

Precedence, tightest first: NEAR, NOT, AND, OR. A phrase or NEAR never spans title and body.
Chinese and Japanese characters count as one word each, so a term like 客服 matches as a phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from groundswell.errors import GroundswellError

CJK_CHARACTERS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
WORD_PATTERN = re.compile(rf"[{CJK_CHARACTERS}]|[^\W{CJK_CHARACTERS}]+")
QUERY_WORD_PATTERN = re.compile(rf"[{CJK_CHARACTERS}]\*?|[^\W{CJK_CHARACTERS}]+\*?")
NEAR_PATTERN = re.compile(r"NEAR/(\d+)$")
FIELD_PATTERN = re.compile(r"([A-Za-z_]+):")
LANG_CODE_PATTERN = re.compile(r"[a-z]{2,3}$")
FIELD_NAMES = ("site", "author", "lang", "kind")
OPERATORS = ("AND", "OR", "NOT")
MIN_PREFIX_LENGTH = 2
BODY_OFFSET = 1_000_000  # body word positions start here, so nothing spans title and body
Span = tuple[int, int]  # first and last word position, inclusive


class QueryError(GroundswellError, ValueError):
    """A query that does not parse; the message points at the line and column."""

    def __init__(self, reason: str, query: str, offset: int, monitor: str | None = None) -> None:
        self.reason = reason
        self.query = query
        self.offset = offset
        self.monitor = monitor
        self.line, self.column = line_and_column(query, offset)
        super().__init__(self.message())

    def message(self) -> str:
        where = f"monitor {self.monitor!r}: " if self.monitor else ""
        query_line = self.query.splitlines()[self.line - 1] if self.query.strip() else self.query
        caret = " " * (self.column - 1) + "^"
        return f"{where}query:{self.line}:{self.column}: {self.reason}\n  {query_line}\n  {caret}"

    def for_monitor(self, monitor: str) -> QueryError:
        return QueryError(self.reason, self.query, self.offset, monitor=monitor)


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    before = text[:offset]
    line = before.count("\n") + 1
    column = offset - (before.rfind("\n") + 1) + 1
    return line, column


# --- the text a query is matched against ------------------------------------------------------


@dataclass
class Document:
    """One mention, tokenised once so that many queries can be tested against it cheaply."""

    positions: dict[str, list[int]]
    host: str
    path: str
    author: str
    lang: str
    kind: str

    @classmethod
    def from_mention(cls, mention: dict) -> Document:
        positions: dict[str, list[int]] = {}
        add_word_positions(positions, mention.get("title") or "", start=0)
        add_word_positions(positions, mention.get("body") or "", start=BODY_OFFSET)
        url = urlsplit(mention.get("url") or mention.get("thread_url") or "")
        return cls(
            positions=positions,
            host=(url.hostname or "").rstrip("."),
            path=url.path.lower(),
            author=(mention.get("author") or "").casefold().strip(),
            lang=(mention.get("lang") or "").lower(),
            kind=(mention.get("kind") or "").lower(),
        )


def text_words(text: str) -> list[str]:
    """Lower-cased words of ``text``; each Chinese/Japanese character is a word of its own."""
    return WORD_PATTERN.findall(text.casefold())


def add_word_positions(positions: dict[str, list[int]], text: str, start: int) -> None:
    for index, word in enumerate(text_words(text), start=start):
        positions.setdefault(word, []).append(index)


def as_document(mention: dict | Document) -> Document:
    return mention if isinstance(mention, Document) else Document.from_mention(mention)


# --- the syntax tree ----------------------------------------------------------------------------


class Node(Protocol):
    def matches(self, document: Document) -> bool: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class Term:
    """One word, or with ``prefix`` any word starting with it."""

    word: str
    prefix: bool = False

    def matching_words(self, document: Document) -> list[str]:
        if not self.prefix:
            return [self.word] if self.word in document.positions else []
        return [word for word in document.positions if word.startswith(self.word)]

    def positions(self, document: Document) -> list[int]:
        if not self.prefix:
            return document.positions.get(self.word, [])
        found = [p for word in self.matching_words(document) for p in document.positions[word]]
        return sorted(found)

    def spans(self, document: Document) -> list[Span]:
        return [(position, position) for position in self.positions(document)]

    def matches(self, document: Document) -> bool:
        return bool(self.matching_words(document))

    def describe(self) -> str:
        return self.word + ("*" if self.prefix else "")


@dataclass(frozen=True)
class Phrase:
    """Words next to each other, in order."""

    terms: tuple[Term, ...]

    def spans(self, document: Document) -> list[Span]:
        later_positions = [set(term.positions(document)) for term in self.terms[1:]]
        if not all(later_positions):
            return []
        last = len(self.terms) - 1
        return [
            (start, start + last)
            for start in self.terms[0].positions(document)
            if all(start + step in found for step, found in enumerate(later_positions, start=1))
        ]

    def matches(self, document: Document) -> bool:
        return bool(self.spans(document))

    def describe(self) -> str:
        return '"' + " ".join(term.describe() for term in self.terms) + '"'


@dataclass(frozen=True)
class Near:
    """Both sides within ``distance`` words of each other (words between them), either order."""

    left: Node
    right: Node
    distance: int

    def spans(self, document: Document) -> list[Span]:
        rights = self.right.spans(document)  # type: ignore[attr-defined]
        if not rights:
            return []
        found = []
        for left in self.left.spans(document):  # type: ignore[attr-defined]
            for right in rights:
                gap = words_between(left, right)
                if gap is not None and gap <= self.distance:
                    found.append((min(left[0], right[0]), max(left[1], right[1])))
        return found

    def matches(self, document: Document) -> bool:
        return bool(self.spans(document))

    def describe(self) -> str:
        return f"(NEAR/{self.distance} {self.left.describe()} {self.right.describe()})"


def words_between(first: Span, second: Span) -> int | None:
    """How many words lie between two spans; None when they overlap."""
    if first[1] < second[0]:
        return second[0] - first[1] - 1
    if second[1] < first[0]:
        return first[0] - second[1] - 1
    return None


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]

    def matches(self, document: Document) -> bool:
        return all(child.matches(document) for child in self.children)

    def describe(self) -> str:
        return "(AND " + " ".join(child.describe() for child in self.children) + ")"


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]

    def spans(self, document: Document) -> list[Span]:
        """Only for groups of words and phrases, used as one side of NEAR."""
        return [span for child in self.children for span in child.spans(document)]  # type: ignore[attr-defined]

    def matches(self, document: Document) -> bool:
        return any(child.matches(document) for child in self.children)

    def describe(self) -> str:
        return "(OR " + " ".join(child.describe() for child in self.children) + ")"


@dataclass(frozen=True)
class Not:
    child: Node

    def matches(self, document: Document) -> bool:
        return not self.child.matches(document)

    def describe(self) -> str:
        return f"(NOT {self.child.describe()})"


@dataclass(frozen=True)
class Field:
    """``name:value`` on the mention's metadata (site, author, lang, kind)."""

    name: str
    value: str

    def matches(self, document: Document) -> bool:
        if self.name == "site":
            return site_matches(self.value, document.host, document.path)
        if self.name == "author":
            if self.value.endswith("*"):
                return document.author.startswith(self.value[:-1])
            return document.author == self.value
        if self.name == "lang":
            return document.lang == self.value
        return document.kind == self.value

    def describe(self) -> str:
        value = f'"{self.value}"' if " " in self.value else self.value
        return f"{self.name}:{value}"


def site_matches(site: str, host: str, path: str) -> bool:
    """``example.com`` matches example.com and its subdomains; a path part must prefix the path."""
    site_host, _, site_path = site.partition("/")
    if not (host == site_host or host.endswith("." + site_host)):
        return False
    if not site_path:
        return True
    site_path = "/" + site_path.rstrip("/")
    return path == site_path or path.startswith(site_path + "/")


def is_positional(node: Node) -> bool:
    """Nodes with word positions: what NEAR can take on each side."""
    if isinstance(node, (Term, Phrase, Near)):
        return True
    return isinstance(node, Or) and all(is_positional(child) for child in node.children)


@dataclass(frozen=True)
class Query:
    """A parsed monitor query."""

    text: str
    root: Node

    def matches(self, mention: dict | Document) -> bool:
        """Whether a mention dict (or an already tokenised ``Document``) satisfies the query."""
        return self.root.matches(as_document(mention))

    def describe(self) -> str:
        """The tree, fully parenthesised: ``(OR a (AND b c))``."""
        return self.root.describe()


# --- tokens -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # TERM PHRASE FIELD AND OR NOT MINUS NEAR LPAREN RPAREN END
    text: str
    offset: int
    value: str = ""  # PHRASE: the words; FIELD: the value; NEAR: the distance


def tokenize(query: str) -> list[Token]:
    tokens: list[Token] = []
    index = 0
    while index < len(query):
        char = query[index]
        if char.isspace():
            index += 1
        elif char in "()":
            tokens.append(Token("LPAREN" if char == "(" else "RPAREN", char, index))
            index += 1
        elif char == '"':
            end = closing_quote(query, index)
            text = query[index : end + 1]
            tokens.append(Token("PHRASE", text, index, value=query[index + 1 : end]))
            index = end + 1
        elif char == "-" and starts_operand(query, index + 1):
            tokens.append(Token("MINUS", char, index))
            index += 1
        else:
            token = bare_word_token(query, index)
            tokens.append(token)
            index += len(token.text)
    tokens.append(Token("END", "", len(query)))
    return tokens


def starts_operand(query: str, index: int) -> bool:
    return index < len(query) and not query[index].isspace() and query[index] not in ")-"


def closing_quote(query: str, start: int) -> int:
    end = query.find('"', start + 1)
    if end < 0:
        raise QueryError("unterminated phrase: no closing '\"'", query, start)
    return end


def bare_word_token(query: str, start: int) -> Token:
    """A word, an operator, NEAR/n or a field filter (whose value may be quoted)."""
    end = word_end(query, start)
    text = query[start:end]
    field = FIELD_PATTERN.match(text)
    if field and field.end() == len(text) and end < len(query) and query[end] == '"':
        quote_end = closing_quote(query, end)
        text = query[start : quote_end + 1]
        return Token("FIELD", text, start, value=query[end + 1 : quote_end])
    if field:
        return Token("FIELD", text, start, value=text[field.end() :])
    if text in OPERATORS:
        return Token(text, text, start)
    if text == "NEAR" or text.startswith("NEAR/"):
        near = NEAR_PATTERN.match(text)
        if not near:
            raise QueryError("expected NEAR/n with a number of words, as in NEAR/3", query, start)
        return Token("NEAR", text, start, value=near.group(1))
    if text == "-":
        raise QueryError("expected a term after '-'", query, start + 1)
    return Token("TERM", text, start)


def word_end(query: str, start: int) -> int:
    end = start
    while end < len(query) and not query[end].isspace() and query[end] not in '()"':
        end += 1
    return end


# --- the parser ---------------------------------------------------------------------------------


OPERAND_STARTS = ("TERM", "PHRASE", "FIELD", "LPAREN", "NOT", "MINUS")
NEAR_OPERAND_HELP = "NEAR needs a word, a phrase or a group of words joined by OR on each side"


class Parser:
    """Recursive descent: or := and (OR and)*; and := unary ([AND] unary)*;
    unary := (NOT | -) unary | near; near := primary (NEAR/n primary)*;
    primary := term | phrase | field | ( or )."""

    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = tokenize(query)
        self.index = 0

    def error(self, reason: str, offset: int) -> QueryError:
        return QueryError(reason, self.query, offset)

    def peek(self) -> Token:
        return self.tokens[self.index]

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Node:
        if self.peek().kind == "END":
            raise self.error("empty query", 0)
        root = self.parse_or()
        token = self.peek()
        if token.kind == "RPAREN":
            raise self.error("unexpected ')' without a matching '('", token.offset)
        if token.kind != "END":  # pragma: no cover - every other token starts or joins a term
            raise self.error(f"unexpected {token.text!r}", token.offset)
        return root

    def parse_or(self, after: Token | None = None) -> Node:
        children = [self.parse_and(after)]
        while self.peek().kind == "OR":
            children.append(self.parse_and(after=self.take()))
        return children[0] if len(children) == 1 else Or(tuple(children))

    def parse_and(self, after: Token | None) -> Node:
        children = [self.parse_unary(after)]
        while True:
            kind = self.peek().kind
            if kind == "AND":
                children.append(self.parse_unary(after=self.take()))
            elif kind in OPERAND_STARTS:
                children.append(self.parse_unary(after=None))
            else:
                break
        return children[0] if len(children) == 1 else And(tuple(children))

    def parse_unary(self, after: Token | None) -> Node:
        if self.peek().kind in ("NOT", "MINUS"):
            operator = self.take()
            return Not(self.parse_unary(after=operator))
        return self.parse_near(after)

    def parse_near(self, after: Token | None) -> Node:
        first = self.peek()
        left = self.parse_primary(after)
        while self.peek().kind == "NEAR":
            operator = self.take()
            if not is_positional(left):
                raise self.error(NEAR_OPERAND_HELP, first.offset)
            second = self.peek()
            right = self.parse_primary(after=operator)
            if not is_positional(right):
                raise self.error(NEAR_OPERAND_HELP, second.offset)
            left = Near(left, right, int(operator.value))
        return left

    def parse_primary(self, after: Token | None) -> Node:
        token = self.peek()
        if token.kind == "LPAREN":
            inner = self.parse_or(after=self.take())
            if self.peek().kind != "RPAREN":
                raise self.error("expected ')'", self.peek().offset)
            self.take()
            return inner
        if token.kind in ("TERM", "PHRASE", "FIELD"):
            self.take()
            if token.kind == "FIELD":
                return field_node(self.query, token)
            return words_node(self.query, token)
        raise self.error(missing_term_reason(token, after), token.offset)


def missing_term_reason(token: Token, after: Token | None) -> str:
    found = "the end of the query" if token.kind == "END" else repr(token.text)
    if after is not None:
        return f"expected a term after {after.text!r}, found {found}"
    return f"expected a term, found {found}"


def words_node(query: str, token: Token) -> Node:
    """A bare term or a quoted phrase; a term with punctuation inside (e-mail) is a phrase."""
    text = token.value if token.kind == "PHRASE" else token.text
    text_offset = token.offset + (1 if token.kind == "PHRASE" else 0)
    check_wildcards(query, text, text_offset)
    words = QUERY_WORD_PATTERN.findall(text.casefold())
    if not words:
        what = "empty phrase" if token.kind == "PHRASE" else "term has no letters or digits"
        raise QueryError(what, query, token.offset)
    terms = tuple(Term(word.rstrip("*"), prefix=word.endswith("*")) for word in words)
    return terms[0] if len(terms) == 1 else Phrase(terms)


def check_wildcards(query: str, text: str, offset: int) -> None:
    """``*`` may only end a word, after at least MIN_PREFIX_LENGTH letters or digits."""
    for match in re.finditer(r"\*", text):
        at = match.start()
        if at + 1 < len(text) and (text[at + 1].isalnum() or text[at + 1] == "_"):
            raise QueryError("'*' is only allowed at the end of a word", query, offset + at)
        prefix = re.search(r"\w*$", text[:at]).group()
        if len(prefix) < MIN_PREFIX_LENGTH:
            reason = f"'*' needs at least {MIN_PREFIX_LENGTH} letters before it"
            raise QueryError(reason, query, offset + at)


def field_node(query: str, token: Token) -> Field:
    name = token.text.split(":", 1)[0]
    value_offset = token.offset + len(name) + 1
    if name.lower() not in FIELD_NAMES:
        known = ", ".join(f"{field}:" for field in FIELD_NAMES)
        raise QueryError(f"unknown field {name + ':'!r} (expected {known})", query, token.offset)
    value = token.value.strip().casefold()
    if not value:
        raise QueryError(f"expected a value after '{name}:'", query, value_offset)
    name = name.lower()
    if name == "site":
        value = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value).strip("/")
    if name == "lang" and not LANG_CODE_PATTERN.match(value):
        raise QueryError("expected a language code such as lang:en", query, value_offset)
    if "*" in value and not (name == "author" and value.index("*") == len(value) - 1):
        raise QueryError("'*' is only allowed at the end of an author: value", query, value_offset)
    return Field(name, value)


def parse_query(text: str) -> Query:
    """Parse a monitor query; raises ``QueryError`` pointing at the first problem."""
    return Query(text, Parser(text).parse())


def brand_terms(query: Query) -> list[str]:
    """The names a query looks for on their own: its phrases (outside ``NOT``), and its words
    at the top or among ``OR`` alternatives ("acme" in ``acme OR "acme helpdesk"``, not
    "support" in ``acme AND support``, which is a context word). Lowercase."""

    def walk(node: Node, alone: bool) -> list[str]:
        if isinstance(node, Phrase):
            return [" ".join(term.word for term in node.terms)]
        if isinstance(node, Term):
            return [node.word] if alone and not node.prefix else []
        if isinstance(node, Or):
            return [name for child in node.children for name in walk(child, alone)]
        if isinstance(node, (And, Near)):
            children = node.children if isinstance(node, And) else (node.left, node.right)
            return [name for child in children for name in walk(child, False)]
        return []  # Not, Field

    return list(dict.fromkeys(walk(query.root, True)))


def monitor_brand_names(monitors) -> list[str]:
    """What configured monitors (``MonitorConfig``) look for: their names, and the names their
    queries ask for on their own (``brand_terms``), lowercase, longest first. A query that does
    not parse is skipped (``tag`` reports it)."""
    names = {monitor.name.lower() for monitor in monitors}
    for monitor in monitors:
        try:
            names.update(brand_terms(parse_query(monitor.query)))
        except QueryError:
            continue
    return sorted(names, key=lambda name: (-len(name), name))
