"""Keyphrases per text for tag clouds, KeyBERT-style with the MiniLM encoder.

``extract_keyphrases(texts, top_n=5)`` gives, for each text, up to ``top_n`` ``(phrase, score)``
pairs, best first: lowercase noun-ish n-grams (1-3 words with no stopword or number, and no
evaluative word such as "great", -ly adverb or past-tense verb at either end) ranked by cosine
similarity to the text's embedding, picked with maximal marginal relevance so that they differ
from each other. Score = that similarity, clipped to 0..1.

Chosen over YAKE after measuring both on 300 SemEval-2016 restaurant reviews, matching phrases
against the annotated opinion targets (one thread of a busy 2-core machine): YAKE (same
filters) 186 texts/s, precision@5 0.356, recall 0.387; this 13-19 texts/s, precision@5 0.50,
recall 0.55. Both encoder calls are batched over the whole batch of texts.

``bench/keyphrase_accuracy.py`` scores the served keyphrases against SemEval-2016 restaurant
opinion targets. Past-tense verbs ("arrived", "staff acted", "threw") and contractions typed
without an apostrophe ("ive asked") were added to the filters there, on its dev half: precision
0.401 -> 0.418, target recall 0.427 -> 0.443; on its test half, not chosen on, 0.418 -> 0.433
and 0.480 -> 0.492. Then a word followed by an object pronoun or an article ("saves us hours",
"helps the team": a present-tense verb, which a plural noun cannot be told from by its ending)
stopped ending a phrase: dev 0.418 -> 0.420 and 0.443 -> 0.444, test 0.433 -> 0.441 and 0.492 ->
0.497 (adding "this", "these", "those", "every" gave dev 0.421 / 0.445: noise, and "the pizza
this place serves" ends in a noun, so not taken). Twenty common -s verbs a plural noun almost
never spells ("helps", "works", "including": ``PRESENT_VERBS``), tags in the demo's cloud, are
boundary words too: dev unchanged, test 0.441 -> 0.442 and 0.497 -> 0.498. Then, from the
demo's cloud ("40-person support desk", "week", "times", "batch includes microsoft"): a count or
size ("40-person", "30-day") is in no phrase, nor is a present verb of that list (a phrase is
not a clause); time words and "things", "people" end none (``VAGUE_WORDS``); and "time(s)",
"team", "app", "customer(s)", "user(s)" are no phrase alone (``VAGUE_ALONE``): dev 0.420 ->
0.427 and 0.444 -> 0.451 (the time words 0.419 -> 0.421, "things" / "people" -> 0.424, the
vague-alone words -> 0.427; "team" as a boundary word and "customers" changed nothing and
were left out); test 0.442 -> 0.444 and 0.498 -> 0.502. Later, from the demo's cloud again
("confuses administrators settings", "rough edges short", "month-long"): a mention's title
ends a chunk (the tagger passes where it ends), and a compound modifier ("month-long",
"first-time", "on-call") is no phrase alone. The bench's sentences have no titles and no such
word alone: its figures are unchanged; on the demo, 47 phrases that ran across a title or were
a modifier alone went (and "rough edges", "smooth switch", "security review" came).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import numpy as np

from groundswell.tagging.text_spans import pieces_between

MAX_WORDS = 3
MAX_CANDIDATES = 40  # per text: the most frequent, then earliest, are embedded
DIVERSITY = 0.3  # MMR: (1 - DIVERSITY) * relevance - DIVERSITY * redundancy
MIN_CHARS = 3
# Words that make a poor tag at either end of a phrase: opinions, not things.
EVALUATIVE_WORDS = frozenset(
    """good great bad best better worse worst nice awesome amazing excellent terrible horrible
    awful love loved loves like liked hate hated lousy perfect fantastic wonderful poor fine okay
    ok decent really pretty highly definitely recommend recommended super cool happy sad
    disappointed disappointing impressed favorite favourite overall totally absolutely""".split()
)

# Verbs in the past, which name what happened, not a thing ("arrived", "staff acted", "threw"):
# a regular one ends in -ed ("speed", "need" do not count), these are the common irregular ones.
IRREGULAR_PAST = frozenset(
    """threw ate went came got took made left said told gave brought bought found felt sat paid
    saw knew thought ran kept began spent sent stood heard held meant met lost won wrote drove
    chose""".split()
)
# Verbs in the present that a plural noun almost never spells ("automation helps", "it works",
# "including"): a common -s verb cannot be told from a plural noun by its ending. In no phrase.
PRESENT_VERBS = frozenset(
    """helps works makes takes gets lets seems feels allows provides includes including saves
    comes goes says keeps gives brings tries""".split()
)
# When or who in general, not what: "this week", "every morning", "things", "people".
VAGUE_WORDS = frozenset(
    """day days week weeks weekend month months year years today tonight yesterday tomorrow
    morning mornings afternoon evening thing things stuff people""".split()
)
# Too vague to be a tag alone ("times" of "times out", "team", "app"), fine inside a phrase
# ("load times", "support team", "iphone app").
VAGUE_ALONE = frozenset("time times team teams app apps customer customers user users".split())
# A word these follow is taken for a verb with its object ("saves us hours"): it ends no phrase.
OBJECT_STARTERS = frozenset("us me you him her them our your their my its the a an".split())
# Contractions typed without the apostrophe, as stopwords
BARE_CONTRACTIONS = frozenset(
    """ive im dont didnt cant wont doesnt isnt wasnt werent couldnt wouldnt shouldnt youre
    theyre thats theres weve youve""".split()
)

_CHUNK_BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”/|\n\r\t]+|\s[-–—]\s")
_TOKEN = re.compile(r"[\w'’&-]+", re.UNICODE)
_NUMERIC = re.compile(r"^[\d.,:%'’&_-]+$")
# a count or a size, not a thing: "40-person", "30-day", "5-star"
_QUANTITY = re.compile(r"^\d[\d.,]*(?:-[a-z]+)+$")
# a compound modifier, no tag alone ("month-long", "first-time", "on-call"); fine before its
# noun ("on-call shifts")
_MODIFIER = re.compile(
    r"^[a-z]+-(?:long|time|based|like|free|friendly|wide|level|term|call|sized|style|facing)$"
)
_URL = re.compile(r"https?://\S+|www\.\S+|@\w+")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """YAKE's English stopword list (``yake`` is a dependency), plus a few contractions."""
    import yake

    path = Path(yake.__file__).parent / "core" / "StopwordsList" / "stopwords_en.txt"
    words = path.read_text(encoding="utf-8", errors="replace").split()
    contractions = {"i'm", "i've", "it's", "don't", "can't"} | BARE_CONTRACTIONS
    return frozenset(w.lower() for w in words) | contractions


def is_boundary_word(token: str) -> bool:
    """A word a phrase may hold but not start or end with: a stopword, an opinion, a -ly
    adverb, a verb in the past, a time or vague word (a common verb in the present is in no
    phrase at all: ``candidate_spans``)."""
    return (
        token in stopwords()
        or token in EVALUATIVE_WORDS
        or token.endswith("ly")
        or is_past_tense(token)
        or token in VAGUE_WORDS
    )


def is_quantity(token: str) -> bool:
    """A number, or a count or size ("40-person", "30-day"): in no phrase."""
    return bool(_NUMERIC.match(token) or _QUANTITY.match(token))


def too_vague_alone(phrase: str) -> bool:
    """A word that is no tag on its own (``VAGUE_ALONE``, a compound modifier)."""
    return phrase in VAGUE_ALONE or bool(_MODIFIER.match(phrase))


def is_past_tense(token: str) -> bool:
    if token in IRREGULAR_PAST:
        return True
    return len(token) >= 5 and token.endswith("ed") and not token.endswith("eed")


def blank_links(text: str) -> str:
    """Links and @handles replaced by spaces of the same length (character offsets kept)."""
    return _URL.sub(lambda match: " " * len(match.group()), text)


def candidate_spans(text: str, title_end: int | None = None) -> dict[str, tuple[int, int]]:
    """Lowercase 1-3 word n-grams inside punctuation-free chunks, with no stopword at all and
    no evaluative word at an end, each with the character span of its first occurrence; at
    most ``MAX_CANDIDATES``, most frequent first. ``title_end``, where a mention's title ends
    in ``text``, ends a chunk too: no phrase runs from a title into the body ("overhaul
    confuses administrators" + "Settings moved ...")."""
    counts: Counter[str] = Counter()
    first_seen: dict[str, tuple[int, int]] = {}
    stop = stopwords()
    clean = with_break_at(blank_links(text), title_end)
    for chunk_start, chunk_end in pieces_between(_CHUNK_BREAK, clean, 0, len(clean)):
        tokens = [(m.start(), m.end(), m.group().lower().strip("'’&-_"))
                  for m in _TOKEN.finditer(clean, chunk_start, chunk_end)]  # fmt: skip
        words = [t for _, _, t in tokens]
        banned = [not t or t in stop or t in PRESENT_VERBS or is_quantity(t) for t in words]
        boundary = [is_boundary_word(t) for t in words]
        before_object = [following in OBJECT_STARTERS for following in words[1:]] + [False]
        for size in range(1, MAX_WORDS + 1):
            for start in range(len(tokens) - size + 1):
                last = start + size - 1
                if boundary[start] or boundary[last] or before_object[last]:
                    continue
                if any(banned[start : last + 1]):
                    continue
                phrase = " ".join(words[start : last + 1])
                if len(phrase) >= MIN_CHARS and not too_vague_alone(phrase):
                    counts[phrase] += 1
                    first_seen.setdefault(phrase, (tokens[start][0], tokens[last][1]))
    order = {phrase: n for n, phrase in enumerate(first_seen)}
    ranked = sorted(counts, key=lambda p: (-counts[p], order[p]))
    return {phrase: first_seen[phrase] for phrase in ranked[:MAX_CANDIDATES]}


def with_break_at(text: str, offset: int | None) -> str:
    """``text`` with the space at ``offset`` a line break (offsets kept); as it is otherwise."""
    if offset is None or not 0 < offset < len(text) or text[offset] != " ":
        return text
    return text[:offset] + "\n" + text[offset + 1 :]


def title_end(title: str | None, text: str) -> int | None:
    """Where ``title`` ends in ``text`` (a mention's title and body joined by a space), or
    None when the text does not open with it."""
    title = " ".join((title or "").split())
    return len(title) if title and text.startswith(title + " ") else None


def phrase_candidates(text: str, title_end: int | None = None) -> list[str]:
    """The candidate phrases of ``candidate_spans``, best first."""
    return list(candidate_spans(text, title_end))


def overlaps(words: frozenset[str], chosen: list[frozenset[str]]) -> bool:
    """True if the phrase is within or contains a phrase already chosen, or shares two words
    with one ("customer support response" after "slow customer support")."""
    return any(len(words & c) >= min(2, len(words), len(c)) for c in chosen)


def select_diverse(
    document: np.ndarray, phrases: list[str], vectors: np.ndarray, top_n: int
) -> list[tuple[str, float]]:
    """Maximal marginal relevance over ``phrases``, skipping ones that overlap a chosen one;
    the picks are returned best first by similarity to the document."""
    relevance = vectors @ document
    redundancy = np.zeros(len(phrases), dtype=np.float32)
    available = np.ones(len(phrases), dtype=bool)
    chosen: list[int] = []
    chosen_words: list[frozenset[str]] = []
    while len(chosen) < top_n and available.any():
        mmr = (1 - DIVERSITY) * relevance - DIVERSITY * redundancy
        best = int(np.argmax(np.where(available, mmr, -np.inf)))
        available[best] = False
        words = frozenset(phrases[best].split())
        if overlaps(words, chosen_words):
            continue
        chosen.append(best)
        chosen_words.append(words)
        redundancy = np.maximum(redundancy, vectors @ vectors[best])
    picked = [(phrases[i], round(float(np.clip(relevance[i], 0.0, 1.0)), 4)) for i in chosen]
    return sorted(picked, key=lambda pair: -pair[1])


def extract_keyphrases(
    texts: list[str], top_n: int = 5, encoder=None, encoded: list | None = None,
    title_ends: list[int | None] | None = None,
) -> list[list[tuple[str, float]]]:  # fmt: skip
    """For each text, up to ``top_n`` (lowercase phrase, score 0..1) pairs, best first.

    With ``encoded`` (``groundswell.models.shared_encoder.EncodedText`` per text) the text and phrase
    vectors are means of the text's token states: no forward pass of their own. Otherwise
    ``encoder`` (``embed(texts) -> normalised rows``, default: the shared MiniLM encoder) embeds
    the batch's texts and all their candidates in two calls. ``title_ends``: where each text's
    title ends (``title_end``), so that no phrase spans title and body."""
    ends = title_ends if title_ends is not None else [None] * len(texts)
    if encoded is not None:
        return [keyphrases_in_context(t or "", tokens, top_n, end)
                for t, tokens, end in zip(texts, encoded, ends, strict=True)]  # fmt: skip
    candidates = [phrase_candidates(t or "", end) if top_n > 0 else []
                  for t, end in zip(texts, ends, strict=True)]  # fmt: skip
    wanted = [i for i, c in enumerate(candidates) if c]
    if not wanted:
        return [[] for _ in texts]
    if encoder is None:
        from groundswell.models.encoder import load_encoder

        encoder = load_encoder()
    documents = encoder.embed([texts[i] for i in wanted])
    unique = sorted({p for i in wanted for p in candidates[i]})
    row = {p: n for n, p in enumerate(unique)}
    phrase_vectors = encoder.embed(unique)
    results: list[list[tuple[str, float]]] = [[] for _ in texts]
    for document, i in zip(documents, wanted, strict=True):
        vectors = phrase_vectors[[row[p] for p in candidates[i]]]
        results[i] = select_diverse(document, candidates[i], vectors, top_n)
    return results


def keyphrases_in_context(
    text: str, tokens, top_n: int, title_end: int | None = None
) -> list[tuple[str, float]]:
    """One text's keyphrases, each phrase vector the mean of its tokens' states in the text."""
    spans = candidate_spans(text, title_end) if top_n > 0 else {}
    if not spans:
        return []
    vectors = tokens.span_embeddings(list(spans.values())).astype(np.float32)
    return select_diverse(tokens.embedding(), list(spans), vectors, top_n)
