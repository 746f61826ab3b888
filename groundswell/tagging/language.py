"""Language detection with lingua: ``detect_languages(texts)`` -> ISO 639-1 codes or None.

One detector per process, built lazily on first use from ``DETECTED_LANGUAGES``. High-accuracy
mode is kept: it only costs more on texts under ~120 characters, which is exactly where it is
right more often (low-accuracy mode called "Best CRM ever" German), and it still runs at
about 2,000 mention-sized texts/s. ``MIN_RELATIVE_DISTANCE`` makes lingua answer None rather
than guess when two languages score about the same, so a short English text is not flagged as
out of domain on a coin toss. The first call loads every listed language's models at once
(~2.5 s, ~250 MB): loaded lazily, each language's models arrived in the middle of tagging, and
a tagging run of 5,000 tweets spent about half its language-detection time loading them.

A plainly English text (``is_plainly_english``: plain ASCII, three different English function
words making up a fifth of its words) is "en" without asking lingua. On 56,707 tweets and
reviews from ../shared/data, 62% were plainly English; lingua called 43 of those something
else, and reading them, all but one were English it got wrong ("Love it in my new Samsung
Galaxy S5 phone." undecided, "aye mah dude did you tell alondraa abouut going to the bell game
tomorrow?" Dutch). The one other text mixed Spanish and English.
"""

from __future__ import annotations

import re
from functools import cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from groundswell.tagging.text_spans import title_and_body

# Each language added costs speed and memory (25 languages ran ~3x slower with 2x the memory);
# a text in a language not listed still comes out as some non-English code, so it is still
# out of domain, only its ``lang`` is a near neighbour (Danish as "sv", say).
DETECTED_LANGUAGES = (
    "en",
    "de",
    "fr",
    "es",
    "it",
    "pt",
    "nl",
    "sv",
    "pl",
    "ru",
    "ja",
    "zh",
    "ko",
    "tr",
)
IN_DOMAIN_LANGUAGES = frozenset({"en"})  # what the sentiment and topic models were trained on
MIN_RELATIVE_DISTANCE = 0.1
# How sure lingua must be of a language the models do not read before a text is left unread
# (``unread_flags``). Chosen by reading 80 of the 853 rated reviews in ../shared/data called
# non-English: below 0.7 they were mostly short English ("Four Stars good prduct" fr 0.50,
# "All were broken" nl 0.44) with a few short Spanish or French ones; above it, all but
# English-and-gibberish were foreign. A second 80 read the same way (docs/tagging.md).
SURE_CONFIDENCE = 0.7
MIN_LETTERS = 6  # fewer letters than this (a CJK character counts as 3) gives None
MAX_CHARS = 1000  # the language of a long text is settled well before this
CJK_LETTER_WEIGHT = 3
# a plain ASCII text where three different of these make up a fifth of the words is English
ENGLISH_FUNCTION_WORDS = frozenset(
    "the and is are was were to of for it this that with you my we our they have has not but "
    "be on at in".split()
)
ENGLISH_WORD_PATTERN = re.compile(r"[a-z']+")
NOISE_PATTERN = re.compile(r"https?://\S+|www\.\S+|\S+@\S+\.\w+|[@#]\w+")
CJK_PATTERN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


@cache
def language_detector() -> LanguageDetector:
    """The process-wide detector (built on first use)."""
    languages = [lingua_language(code) for code in DETECTED_LANGUAGES]
    builder = LanguageDetectorBuilder.from_languages(*languages)
    builder = builder.with_minimum_relative_distance(MIN_RELATIVE_DISTANCE)
    return builder.with_preloaded_language_models().build()


def detectable_text(text: str | None) -> str | None:
    """``text`` without URLs, e-mail addresses and @handles, cut to MAX_CHARS; None if too short."""
    cleaned = NOISE_PATTERN.sub(" ", (text or "")[: MAX_CHARS * 2])[:MAX_CHARS].strip()
    return cleaned if letter_weight(cleaned) >= MIN_LETTERS else None


def letter_weight(text: str) -> int:
    cjk = len(CJK_PATTERN.findall(text))
    letters = sum(char.isalpha() for char in text)
    return letters + cjk * (CJK_LETTER_WEIGHT - 1)


def is_plainly_english(text: str) -> bool:
    """Plain ASCII in which at least three different English function words make up a fifth of
    the words: English without asking lingua (most English mentions are)."""
    if not text.isascii():
        return False
    words = ENGLISH_WORD_PATTERN.findall(text.lower())
    found = [word for word in words if word in ENGLISH_FUNCTION_WORDS]
    return len(set(found)) >= 3 and len(found) >= 0.2 * len(words)


def detect_languages(texts: list[str]) -> list[str | None]:
    """ISO 639-1 code (lowercase) of each text; None when empty, too short or undecided."""
    cleaned = [detectable_text(text) for text in texts]
    english = [text is not None and is_plainly_english(text) for text in cleaned]
    to_detect = [
        text for text, known in zip(cleaned, english, strict=True) if text is not None and not known
    ]
    detected = iter(
        language_detector().detect_languages_in_parallel_of(to_detect) if to_detect else ()
    )
    return [
        None if text is None else "en" if known else iso_code(next(detected))
        for text, known in zip(cleaned, english, strict=True)
    ]


def iso_code(language: Language | None) -> str | None:
    return None if language is None else language.iso_code_639_1.name.lower()


def detect_mention_languages(batch: list[dict]) -> list[str | None]:
    """The language of each mention's title and body, in batch order."""
    return detect_languages([title_and_body(mention) for mention in batch])


def is_out_of_domain(lang: str | None, in_domain: frozenset[str] = IN_DOMAIN_LANGUAGES) -> bool:
    """True when the language is known and not one the models handle (English only by default)."""
    return lang is not None and lang not in in_domain


def unread_flags(texts: list[str], langs: list[str | None]) -> list[bool]:
    """Which texts the models cannot read: lingua named a language they do not handle
    (``is_out_of_domain``) and is at least ``SURE_CONFIDENCE`` sure of it. A short English text
    lingua mistakes for Dutch or French ("All were broken") stays read."""
    detector = language_detector()
    return [
        is_out_of_domain(lang)
        and detector.compute_language_confidence(detectable_text(text) or "", lingua_language(lang))
        >= SURE_CONFIDENCE
        for text, lang in zip(texts, langs, strict=True)
    ]


def lingua_language(code: str) -> Language:
    """lingua's ``Language`` for an ISO 639-1 code ("es")."""
    return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
