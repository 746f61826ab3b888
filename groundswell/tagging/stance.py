"""Which monitored product a mention passed over, and which it preferred.

A review of Acme Helpdesk that says "we moved to Acme Helpdesk from Zenlytics" is good news for
Acme Helpdesk and a lost customer for Zenlytics; before this module the Zenlytics monitor
counted it as a positive mention of Zenlytics. ``stances(text, names)`` reads, sentence by
sentence, what the text says of each monitor it names:

- ``passed_over``: the author left it or chose another ("moved / switched / migrated ... from
  Zenlytics", "left Zenlytics", "replaced Zenlytics", "instead of Zenlytics", "went with Acme
  Helpdesk" beside Zenlytics in the same sentence, "Acme Helpdesk is better than Zenlytics");
- ``preferred``: the author rates it above another ("TicketTiger instead of Acme Helpdesk",
  "Zenlytics looked better in our trial than Acme Helpdesk", "Zenlytics handled this better",
  "prefer TicketTiger over Zenlytics").

Choosing a product is not a verdict on it ("we went with Acme Helpdesk; the outages since..."
is a complaint about Acme Helpdesk), so "went with" and "moved to" mark only the product left
behind. A cue negated shortly before it ("we did not switch from Zenlytics") says nothing, and
a monitor read both ways in one text gets no stance. ``mention_monitors.stance`` stores the
result; the monitor's copy of the sentiment (``mention_sentiment``) reads ``passed_over`` as
negative and ``preferred`` as positive (``groundswell.store.denormalise``). English cues only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from groundswell.tagging.text_spans import sentence_spans

PASSED_OVER = "passed_over"
PREFERRED = "preferred"
STANCE_SENTIMENT = {PASSED_OVER: "negative", PREFERRED: "positive"}

SLOT = "\u27e6{}\u27e7"  # a monitor named in the sentence: ⟦0⟧, ⟦1⟧...
NAMED = r"\u27e6(\d+)\u27e7"
CLAUSE = r"[^.;!?\u27e6]{0,40}?"  # words in the same clause, no other monitor between
# the same, monitors allowed ("moved to X from Y"), another "from" not ("moving away from
# microSD aside from Y")
ANY_CLAUSE = r"(?:(?!\bfrom\b)[^.;!?\u27e6]|\u27e6\d+\u27e7){0,40}?"
LEAVE_VERBS = (
    r"mov(?:e|es|ed|ing)|switch(?:es|ed|ing)?|migrat(?:e|es|ed|ing)|convert(?:s|ed|ing)?"
    r"|transition(?:s|ed|ing)?|came over|come over"
)
# "the move as a response to pressure from X" is a noun, not someone moving
NOT_A_NOUN = r"(?<!\bthe )(?<!\ba )(?<!\bthis )(?<!\bthat )(?<!\bits )(?<!\btheir )"
# "we left X", not "a migration left X search timing out"
LEFT = r"(?:we|i|they|have|has|had|finally|just|recently|eventually) left"
# someone leaving, not a show that leaves the catalogue or a move "leaving X as a weaker app"
LEAVING = (
    r"(?:i|we|you|they|people|customers|users|teams|companies|everyone|friends|me|us|them"
    r"|will|'ll|gonna|considering|debating|before|after|finally|plan to|planning to"
    r"|thinking (?:of|about)|decided to|about to)\s+(?:\w+\s+)?(?:leave|leaving)"
)
# "cancelled my X flight" cancels a trip, not X; "instead of X getting in touch" weighs an act
NOT_A_BOOKING = r"(?! (?:flight|booking|order|reservation|ticket|trip|seat|appointment)s?\b)"
NOT_AN_ACT = r"(?! \w+ing\b)"
CHOOSE_VERBS = (
    r"(?:went|go|goes|going|decided to go) with|chose|choose|chosen|picked|selected"
    r"|settled on|decided on|opted for|signed with"
)
BETTER = (
    r"(?:better|cheaper|faster|easier|simpler|friendlier|more (?:reliable|stable|intuitive"
    r"|affordable|flexible|responsive|polished))"
)
WORSE = (
    r"(?:worse|slower|pricier|clunkier|buggier|harder to use|more (?:expensive|confusing"
    r"|complicated))"
)
# (pattern, what the first named monitor is, what the second is); a None side marks nothing
CUES: tuple[tuple[re.Pattern, str | None, str | None], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), first, second)
    for pattern, first, second in (
        (rf"{NOT_A_NOUN}\b(?:{LEAVE_VERBS})\b{ANY_CLAUSE}\bfrom (?:using )?{NAMED}",
         PASSED_OVER, None),
        (rf"\b(?:{LEFT}|{LEAVING}|ditch(?:ed|ing)?|dump(?:ed|ing)?|abandon(?:ed|ing)?"
         rf"|gave up on|giving up on|(?:moved|moving|walked|walking) away from"
         rf"|cancel(?:l?ed|l?ing)? (?:our|my|the)) {NAMED}{NOT_A_BOOKING}", PASSED_OVER, None),
        (rf"\breplac(?:e|es|ed|ing) {NAMED}", PASSED_OVER, None),
        (rf"\bused to (?:use|fly(?: with)?|be on|work with|pay for) {NAMED}", PASSED_OVER, None),
        (rf"{NAMED}{CLAUSE}\b(?:instead of|rather than) {NAMED}{NOT_AN_ACT}", PREFERRED,
         PASSED_OVER),
        (rf"\b(?:instead of|rather than) {NAMED}{NOT_AN_ACT}", PASSED_OVER, None),
        (rf"\b(?:{CHOOSE_VERBS}|prefer(?:s|red)?) {NAMED} (?:over|to) {NAMED}",
         PREFERRED, PASSED_OVER),
        (rf"{NAMED}{CLAUSE}\b{BETTER}\b{CLAUSE}\bthan {NAMED}", PREFERRED, PASSED_OVER),
        (rf"{NAMED}{CLAUSE}\b{WORSE}\b{CLAUSE}\bthan {NAMED}", PASSED_OVER, PREFERRED),
        (rf"{NAMED} (?:handled|handles|handle|did|does|do) (?:this|that|it|these|those) "
         rf"(?:much |far |a lot |way )?better\b", PREFERRED, None),
    )
)  # fmt: skip
CHOICE = re.compile(rf"\b(?:{CHOOSE_VERBS}) {NAMED}", re.IGNORECASE)
NEGATED = re.compile(
    r"(?:\b(?:not|never|no|without|unnecessary|need not)\b|n't\b)[^.;!?]{0,20}$", re.IGNORECASE
)


def name_pattern(forms: Iterable[str]) -> re.Pattern | None:
    """One monitor's names as a regex: each form's words in order, any non-word run between
    them ("Acme Helpdesk", "acme-helpdesk"); longest first. None when there is no word."""
    words = [re.findall(r"\w+", form) for form in forms]
    alternatives = sorted({r"\W+".join(map(re.escape, w)) for w in words if w}, key=len)
    if not alternatives:
        return None
    return re.compile(rf"\b(?:{'|'.join(reversed(alternatives))})\b", re.IGNORECASE)


def stances(text: str, names: Mapping[str, re.Pattern]) -> dict[str, str]:
    """Each monitor in ``names`` (monitor → ``name_pattern``) that ``text`` passed over or
    preferred; monitors it does neither to, or both, are left out."""
    found: dict[str, set[str]] = {}
    monitors = list(names)
    for start, end in sentence_spans(text or ""):
        sentence = text[start:end]
        for index, monitor in enumerate(monitors):
            sentence = names[monitor].sub(SLOT.format(index), sentence)
        if "\u27e6" not in sentence:
            continue
        for monitor, stance in sentence_stances(sentence):
            found.setdefault(monitors[monitor], set()).add(stance)
    return {monitor: seen.pop() for monitor, seen in found.items() if len(seen) == 1}


def sentence_stances(sentence: str) -> list[tuple[int, str]]:
    """(monitor index, stance) pairs one sentence with its monitors as slots says."""
    out = []
    for cue, first, second in CUES:
        for match in cue.finditer(sentence):
            if NEGATED.search(sentence[: match.start()]):
                continue
            for slot, stance in zip(match.groups(), (first, second), strict=False):
                if stance is not None:
                    out.append((int(slot), stance))
    for match in CHOICE.finditer(sentence):  # "evaluated A against B and went with A": B
        if NEGATED.search(sentence[: match.start()]):
            continue
        chosen = match.group(1)
        others = set(re.findall(NAMED, sentence)) - {chosen}
        out += [(int(other), PASSED_OVER) for other in sorted(others)]
    return out
