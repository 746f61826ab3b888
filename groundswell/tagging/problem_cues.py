"""Problem statements: a text that says the product fails its user, and praises nothing.

The sentiment model reads some dry, factual complaints about software as positive ("Search times
out constantly" scores 0.92 positive with ``minilm4-student-3``): in its training data such
words describe code more often than a product. For a listening tool a customer's "the inbox is
slow again" is a complaint. This rule reads a text the model calls positive as negative when one
of its sentences states a failure (``FAILURES``: timeouts, slowness, freezes, crashes, outages,
things not loading, syncing or staying connected, lost or dropped data, days or weeks to get
something done, nobody following up, new charges, outdated or confusing screens, hard for some
users (an accessibility failure: "hard for a colleague with colour blindness"), something taken
away (a module sunset, a plan discontinued, an app retired, support or a free offer ended), a
promised feature delayed, a decline ("was great until the last update", "used to love it", "used
to be better", "gone downhill": ``DECLINE``), and warnings:
"never again", "save your money", "stay away", "not worth it"), not negated
("never crashes", "no lag") nor said to be fixed ("fixed within the hour"), and no word in the text
praises (``PRAISE``; "a good share of", "good to know", "glad it is not just us", comparisons,
"better than", "handled this better", "hard to recommend", "used to love", "best way to" and "love
it, but not while it lags" do not praise): a review with pros and cons keeps the model's label,
unless it concedes its praise ("Great tool, but ...": ``CONCEDED``) and states two failures or
more. A text the
model reads neutral is read negative on the same terms when the failure is stated outside a
question and not by a cue that news and chat use of other things (``AMBIGUOUS``: a plane crash,
a broken nose, a timeout in a game): "A database migration left search timing out". The topic
stage applies it to the clause that carries a topic too (aspect sentiment). Its mirror image
reads one sentence the model calls negative as positive when it denies a failure and states
none ("Email has never dropped a message", "not had a single outage", "never lets us down":
``denies_a_problem``), or tells of a failure put right soon or by the vendor ("both fixed within
the hour", "When our import failed, their support team re-ran it overnight":
``remedies_a_problem``); and one sentence whose verdict is lukewarm ("The service was ok", "Food
is average", "nothing special": ``lukewarm``) as neutral, whatever the model reads, and a text
read positive that only asks and praises nothing (``only_asks``) as neutral too. In a topic's
clause (``read_aspect_statements``) a price called high, a dish badly made, a room loud or staff
rude ("A little pricey", "the buns were stale", "could be better") reads negative too, and one
that tells the reader to have the thing ("Try the olive cream cheese") or leave it ("You should
pass on the calamari") reads so (``advises``). Measured
on the dev split, held-out reviews and SemEval aspect polarity in docs/tagging.md; ``[model]
problem_cues = false`` turns them off.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from groundswell.tagging.text_spans import sentence_spans

if TYPE_CHECKING:
    from groundswell.models.sentiment import SentimentResult

# praise that held only until something changed: "used to be great", "used to love it", "was
# working great until the last update", "the best tool we had, until they removed the free plan",
# "has gone downhill", "gets worse with every update"; not "got used to it" or "is used to store"
GOOD = (
    r"(?:great|good|fine|perfect(?:ly)?|well|amazing|excellent|awesome|fantastic|wonderful"
    r"|smooth(?:ly)?|flawless(?:ly)?|reliable|solid|the best|best)"
)
NOT_A_TIME = (  # "until the end", "noise until 2 in the morning" tell when, not what changed
    r"(?! (?:the (?:very )?end|\d|midnight|morning|late|closing|close)\b)"
)
# "got used to", "is used to" (checked once "used to" is found: cheaper than at every position)
NOT_HABIT = "".join(
    rf"(?<!\b{word} used to)"
    for word in ("get", "got", "gets", "getting", "am", "'m", "is", "are", "was", "were", "be",
                 "been", "become")
)  # fmt: skip
DECLINE = (
    rf"used to{NOT_HABIT} (?:be (?:so |really |very |pretty |quite |a )?{GOOD}"
    r"|(?:really )?(?:love|like|enjoy)(?= \w)"  # an object: not "the activities I used to enjoy."
    r"|work(?: (?:so |really |very |pretty |quite )?(?:well|great|fine|perfectly)"
    r"|(?=\s*(?:[.,;!]|$|but\b|and now\b|until\b|before the\b))))"  # not "used to work with"
    r"|used to be (?:so much |much |a lot |way |far )?better"
    r"|(?:gone|going|went|goes) downhill"
    r"|(?:gotten|getting|got|gets|become|becoming|became) (?:so much |much |a lot |even )?worse"
    r"|worse (?:and worse|with (?:every|each)|since|after)"
)
# praise that held until something changed ("was working great until the recent update"): a
# failure, and not praise; searched only in a text that says "until" (it is slow to look for)
GOOD_UNTIL = re.compile(rf"\b{GOOD}(?: \w+){{0,6}},? until\b{NOT_A_TIME}", re.IGNORECASE)
FAILURES = (
    r"tim(?:e|es|ed|ing) out",
    r"time-?outs?",
    r"(?:slow|sluggish|laggy)(?:er|ness|downs?)?",
    r"lag(?:s|ging)?",
    r"freez(?:es|ing)(?! (?:cold|weather|temperatures?|rain|fog|outside)\b)",
    r"froze",
    r"hangs",
    r"crash(?:es|ed|ing)?",
    r"buggy",
    r"broken",
    r"unusable",
    r"unreliable",
    r"outages?",
    r"downtime",
    r"spinners?",
    r"loading bars?",
    r"takes? (?:ages|forever)",
    r"takes? (?:\d+|several|many|a few) (?:seconds|minutes|hours)",
    r"takes? (?:\d+|two|three|four|five|several|many|a few) days",
    r"took (?:\d+|two|three|four|five|six|several|many) (?:days|weeks|months)",
    r"(?:stopped|stops|keeps? failing|failed|fails?) (?:working|loading|syncing|sending|to \w+)",
    r"(?:stopped|stops) (?:getting|receiving|showing|arriving)",
    r"(?:could not|couldn'?t|can'?t|cannot|unable to) (?:log|sign) ?(?:in|on)(?:to)?",
    r"locked out",
    r"missing (?:\w+ )?(?:notifications|emails|messages|alerts|tickets|orders|data)",
    r"please (?:fix|sort out)",
    r"(?:hop(?:e|ing)|wish|until) (?:\w+ ){1,3}(?:fix(?:es)?|sorts? out) (?:this|it|that|the \w+)",
    r"(?:not|isn't|aren't|wasn't|weren't|doesn't|don't|didn't) "
    r"(?:working|loading|syncing|arriving|sending)",
    r"disconnect(?:s|ed|ing)?",
    r"\w+s (?:get|got|are|were|go) lost",
    r"(?:nobody|no one)(?: \w+){0,3} (?:followed up|replied|responded|got back)",
    r"not what (?:we|i) (?:were|was) promised",
    r"dropp(?:ed|ing|s) (?:every|all|our|my|some|half|most)",
    r"(?:lost|loses|losing|deleted|wiped|erased) (?:all|every|our|my|some|half|most)",
    r"data loss",
    r"went missing",
    r"costs? extra",
    r"only (?:offered|available|included) (?:on|in|with) (?:the )?(?:most expensive|top|highest"
    r"|priciest|enterprise|premium)",
    r"charg(?:e|es|ed|ing) (?:extra|for)",
    r"price (?:hike|increase)s?",
    r"over-? ?priced",
    r"too (?:expensive|pricey|pricy|costly|loud|noisy|crowded|cramped)",
    r"rais(?:es|ed|ing) (?:its |their )?(?:per-\w+ )?prices",
    r"out of date",
    r"outdated",
    r"confus(?:ing|es)",
    r"clunky",
    r"could do without",
    r"sub-?par",
    r"mediocre",
    r"glitchy",
    r"flaky",
    r"half-?baked",
    r"(?:poorly|badly) (?:designed|implemented|documented|integrated)",
    r"there (?:is|'s) no (?:way|option|setting|native)",
    r"no native \w+",
    r"(?:with|has|have|had|there (?:is|are|was|were)) (?:no|zero) (?:real |useful |clear )?"
    r"(?:examples?|documentation|docs|explanations?|instructions?|warning|notice|repl(?:y|ies)"
    r"|response|answers?|follow-?up)(?! (?:needed|required))",
    r"without (?:any |a |prior )?(?:warning|notice|explanation|examples?|instructions?)",
    r"(?:what a|total|complete) waste of (?:time|money)",
    r"save your money",
    r"stay away",
    r"(?<!to )avoid (?:at all costs|this|it|them)",
    r"never again",
    r"not worth (?:it|the|a|your)",
    r"cluttered",
    r"scattered",
    r"barely (?:works|helps|usable)",
    r"hard to (?:find|use|navigate|learn)",
    r"(?:hard|difficult|impossible) for (?:a|an|our|my|some|many|most|older|new) (?:\w+ )?"
    r"(?:colleagues?|users?|agents?|customers?|people|staff|members?|team)",
    r"(?:sunset|discontinu|deprecat)(?:e|es|ed|ing|s)? (?:its|their|the|our|support)",
    r"retir(?:es|ed|ing) (?:its|their|our)",
    r"(?:ends?|ended|ending|drops?|dropped|dropping|pulls?|pulled) support for",
    r"no longer (?:supports?|supported|available|offers?|includes?)",
    r"(?:removes?|removed|removing|kills?|killed|killing|ends?|ended|ending|drops?|dropped"
    r"|dropping|scraps?|scrapped|scrapping) (?:the |its |their |our )?free",
    r"shut(?:s|ting)? down (?:its|their|our)",
    r"(?:delay|postpone)(?:s|d|ed|ing)? (?:its|their|the|our) (?:long-?)?(?:promised|awaited)",
    DECLINE,
)
FAILURE = re.compile(r"\b(?:" + "|".join(FAILURES) + r")\b", re.IGNORECASE)
# failures that news and chat tell of other things as often: a plane crash, a broken nose, a
# timeout in a game ("Rams call timeout with 1:04 left")
AMBIGUOUS = re.compile(r"(?:crash\w*|time-?outs?|broken)$", re.IGNORECASE)
# a negation shortly before the cue, in the same clause: "never crashes", "no lag at all"; not
# the "not" of a condition, which takes praise back ("love it, but not while everything lags")
NEGATED = re.compile(
    r"\b(?:no|not(?! (?:while|when|if|with|until|as long as)\b)|never|without|hardly|rarely"
    r"|barely|nor|zero|no longer)\b[^.!?;,]{0,25}$"
    r"|n't\b[^.!?;,]{0,25}$"
    r"|\b(?:one|a single|a|the) (?:short|brief|minor)\s+$",
    re.IGNORECASE,
)
# a failure said to be fixed ("an outage in May, fixed within the hour"); and what puts one
# right, said of the vendor (it re-ran the job, replaced the unit, refunded the charge)
FIXED = r"(?:fixed|resolved|solved|sorted(?: \w+)? out|restored|recovered)"
RESOLVED = re.compile(rf"\b(?:{FIXED}|went away|is gone|are gone)\b", re.IGNORECASE)
REMEDY = (
    rf"(?:{FIXED}|sorted|re-?ran|rolled back|patched|refunded|replaced"
    r"|got (?:it|them|everything|us) back)"
)
PRAISE = re.compile(
    r"\b(?:lov(?:e[sd]?|ing)|great|excellent|awesome|amazing|fantastic|superb|wonderful|"
    r"perfect(?:ly)?|good|nice|best|better|happy|glad|enjoy(?:s|ed)?|recommend(?:ed)?|easy|"
    r"easier|smooth(?:ly)?|helpful|comfortable|convenient|reliable|worth|pleased|impressed|"
    r"brilliant|outstanding|solid|favou?rite|thanks?|thank you|well done|fast|quick(?:ly)?|"
    r"cool|beautiful|friendly|satisfied|intuitive|powerful|strong|flexib\w*|efficien\w*|"
    r"ease of|(?:i|we) (?:really )?like|pros?:)",
    re.IGNORECASE,
)
# praise words that do not praise: a quantity, an acknowledgement, irony ("good luck reaching a
# human"; not the sign-off "Good luck!"), shared misery, a comparison
# ("Zenlytics looked better in our trial than Acme", "the old tool handled this better"), a
# recommendation withheld ("hard to recommend", "can't recommend", not "can't recommend enough"),
# praise in the past ("used to love", "used to be really good", "Was good, now slow"), denied
# ("not so good", "isn't very helpful", "never happy") or taken back under a condition ("We love
# the features, but not while everything lags")
NOT_PRAISE = re.compile(
    r"\bgood (?:share|deal|number|part|chunk|portion|few) of\b|\bgood to know\b"
    r"|\bbest (?:way|practices?|approach) (?:to|for)\b"
    r"|\bgood luck (?:reaching|getting|finding|trying|contacting|talking)\b"
    r"|\bhard to recommend\b|\b(?:can'?t|cannot|couldn'?t|wouldn'?t|won'?t|do not|don'?t|not) "
    r"recommend\b(?![^.!?]{0,30}\benough\b)"
    r"|\bglad (?:it'?s|it is|we'?re|we are|i'?m|i am) not (?:just|the only)\b"
    r"|\bbetter\b[^.!?]{0,40}\bthan\b|\bat best\b"
    r"|\bcould (?:have been|be|use)\b[^.!?]{0,20}\bbetter\b"
    r"|\b(?:handled|did|does|do|works?|worked)\b[^.!?]{0,20}\bbetter\b"
    r"|\bused to (?:work (?:so |really |very )?|be (?:so |really |very |pretty |much |a lot |way"
    r" |far )?|(?:really )?)\w+"
    r"|\b(?:was|were) (?:so |really |very |pretty )?\w+,? (?:but |and )?now\b"
    r"|(?:\bnot|n't|\bnever) (?:so |very |that |really |too |as )?(?:good|great|nice|happy|worth"
    r"|easy|impressed|reliable|fast|helpful|friendly|satisfied|pleased)\b"
    r"|\b(?:lov(?:e[sd]?|ing)|like[sd]?|enjoy(?:s|ed)?)\b[^.!?]{0,60}"
    r"\bbut not (?:while|when|if|with|until|as long as)\b",
    re.IGNORECASE,
)


# praise a sentence concedes before its "but" ("Great tool, but the lag is killing us")
CONCEDED = re.compile(r"(?:^|(?<=[.!?;\n]))[^.!?;\n]{0,40},? but\b", re.IGNORECASE)


# a failure denied, straight after the denial ("never crashes", "have not had a single outage",
# "no lag", "never dropped a message"), and idioms that deny one ("never lets us down", "no issues",
# "needs no training", "zero learning curve") or praise through a denial or a fear proved wrong
# ("can't go wrong", "could not be happier", "never disappoints", "exceeded my expectations")
DENIAL = (
    r"(?:never(?: once| ever| even| really)?|no|zero|not (?:a single|one|once|a|any)"
    r"|without(?: a| any)?|not had(?: a single| a| any)?"
    r"|(?:have|has|had|did|does|do)(?:n'?t| not)(?: ever| once)?(?: had| have| seen| got)?"
    r"(?: a single| a| any| one)?)"
)
LOSS = r"(?:lost|lose|dropped|drop|missed|miss)(?: a| one)(?: single)? \w+"
DENYING_IDIOMS = (  # plural after "no": "no problem" is a reply, not a verdict
    r"never lets? (?:us|me|you|them) down"
    r"|(?:no|zero|never (?:had )?any) (?:issues|problems|complaints|hiccups|glitches|bugs)"
    r"|(?:not a single|not one|never had an?|never an?) "
    r"(?:issue|problem|complaint|hiccup|glitch|bug)"
    r"|never (?:once )?(?:had|has|needed) to (?:talk|speak|call|contact|chase|ask|email|worry)"
    r"|(?:needs?|needed|requires?|required) (?:no|zero|little|minimal) "
    r"(?:training|setup|set-up|onboarding|configuration)|no (?:training|setup) (?:needed|required)"
    r"|(?:no|zero|little|minimal|little to no) learning curve"
    r"|(?:can'?t|cannot|couldn'?t|won'?t) go wrong|(?:couldn'?t|could not|can'?t) be (?:happier"
    r"|more (?:pleased|satisfied|happy))|can'?t complain|nothing to complain about"
    r"|(?:not|never|wasn'?t|won'?t be|weren'?t|aren'?t|isn'?t) disappointed|never disappoints?"
    r"|(?:hard|tough) to beat|(?:can'?t|cannot) beat (?:the|a|an|it|that|this)|second to none"
    r"|no regrets|can'?t say enough good|can'?t recommend (?:\w+ )?enough"
    r"|pleasantly surprised|exceeded (?:my|our|all) (?:\w+ )?expectations|skeptical at first"
    r"|(?:worries|fears|doubts) (?:were|was) (?:unfounded|for nothing|misplaced)"
    r"|(?:can'?t|cannot|couldn'?t) be beat(?:en)?|look no further"
    r"|(?:can'?t|cannot|couldn'?t) imagine (?:a |an )?(?:better|friendlier|nicer|more \w+)"
    r"|not once [^.!?]{0,40}disappoint(?:ed|s)?|(?:at )?no extra (?:charge|cost)"
    r"|(?<!not )(?:to die for|(?:is|was|an?) (?:absolute |real |total )?steal)"
)
CONTRAST = re.compile(r"\b(?:but|however|although|though|yet|except|until)\b", re.IGNORECASE)
DENIED_FAILURE = re.compile(
    rf"\b(?:{DENIAL}\s+(?:{'|'.join(FAILURES)}|{LOSS})|{DENYING_IDIOMS})\b", re.IGNORECASE
)


# a failure put right, and soon ("both fixed within the hour", "support quickly resolved it"),
# not asked for or doubted ("I would like it resolved quickly", "can't be resolved quickly")
SOON = (
    r"(?:within (?:the|an|a|\d+|minutes|hours|a few)\b[^.!?,;]{0,15}|in (?:no time|minutes|hours"
    r"|a few \w+|\d+ \w+)|(?:on )?the same day|same day|right away|immediately|quickly"
    r"|promptly|overnight)"
)
QUICK_FIX = re.compile(
    rf"\b(?:{REMEDY}(?: (?:it|them|the \w+|my \w+|our \w+|everything))?(?: for (?:us|me))? {SOON}"
    rf"|(?:quickly|promptly|immediately) {REMEDY})\b",
    re.IGNORECASE,
)
# a failure in a "when" clause that the main clause puts right: "When our import failed, their
# support team re-ran it overnight", "After the outage, they restored everything within an hour"
RECOVERY = re.compile(
    r"^(?:when|after|once|whenever|each time|every time|the (?:one|only|few) times?)\b"
    r"[^,;]{0,60}\b(?:fail(?:ed|s)?|broke|crashed|went (?:down|wrong)|stopped|errors?|bugs?"
    r"|issues?|problems?|outages?|incidents?)\b[^,;]{0,40},"
    rf"[^;]{{0,40}}?\b(?:{REMEDY}|helped|walked (?:us|me) through|jumped on)\b",
    re.IGNORECASE,
)
ANY_NEGATION = re.compile(r"\b(?:no|not|never|nobody|no one)\b|n't\b", re.IGNORECASE)
UNSURE = re.compile(
    r"\b(?:please|can'?t|cannot|couldn'?t|could|can|not|never|neither|nor|wish|hope|expect\w*"
    r"|would|want|should|needs? to|have to|has to|if)\b[^.!?;,]{0,25}$",
    re.IGNORECASE,
)


# a verdict that is neither praise nor complaint ("The service was ok", "Food is average", "It's
# just O.K. pizza", "nothing out of the ordinary", "what one might expect"): not after a
# negation ("not ok") nor "above" or "below" ("above average"), which are verdicts
LUKEWARM_WORD = (
    r"(?:ok|okay|o\.k\.?|alright|all right|average|so-so|passable|nothing special"
    r"|nothing (?:out of the ordinary|to write home about))"
)
LUKEWARM = re.compile(
    r"\b(?:(?:is|was|were|are|'s|seemed|seems|tasted|tastes|felt|feels|looked|looks)"
    rf"(?: (?:just|only|pretty|fairly|rather|kind of|sort of))? {LUKEWARM_WORD}"
    rf"|(?:just|only) {LUKEWARM_WORD}|nothing special|nothing (?:out of the ordinary|to write"
    r" home about)|(?:is|was|were|are) (?:about |pretty much |exactly )?what (?:one|you|anyone"
    r"|any one|we|i|most people) (?:might |would |could |'?d )?expect)(?![\w-])(?! now\b)",
    re.IGNORECASE,
)


# a sentence that asks without a question mark: "I would like to know whether it is chat only"
ASKING = re.compile(
    r"\b(?:(?:would|'d) like to know|wonder(?:ing)? (?:if|whether)|does anyone know)\b",
    re.IGNORECASE,
)


# what also says a question is asked in good humour, or after approval ("looks fine, but ...?")
SMILE = re.compile(r"[:;]-?[)D]|\bhaha", re.IGNORECASE)
FINE = re.compile(r"\b(?:fine|useful)\b", re.IGNORECASE)


def problem_sentences(text: str, ambiguous: bool = True) -> list[str]:
    """The sentences of ``text`` that state a failure, not negated or said to be fixed; without
    ``ambiguous``, not by a cue that news and chat use of other things (``AMBIGUOUS``)."""
    found = []
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        for cue in failure_cues(sentence):
            if not ambiguous and AMBIGUOUS.match(cue.group(0)):
                continue
            negated = NEGATED.search(sentence[: cue.start()])
            if not negated and not RESOLVED.search(sentence[cue.end() :]):
                found.append(sentence)
                break
    return found


def states_a_problem(text: str) -> bool:
    """A failure is stated and nothing is praised; beside two failures or more, praise conceded
    before a "but" (``CONCEDED``) does not count."""
    problems = problem_sentences(text)
    if len(problems) >= 2 and not praises(CONCEDED.sub(" ", text)):
        return True
    return bool(problems) and not praises(text)


def failure_cues(sentence: str) -> list[re.Match]:
    """Where ``sentence`` names a failure (``FAILURE``, and ``GOOD_UNTIL`` when it says until)."""
    cues = list(FAILURE.finditer(sentence))
    if "until" in sentence.lower():
        cues += GOOD_UNTIL.finditer(sentence)
    return cues


def praises(text: str) -> bool:
    """A praise word that praises (``PRAISE`` outside ``NOT_PRAISE`` and ``GOOD_UNTIL``)."""
    text = NOT_PRAISE.sub(" ", text or "")
    if "until" in text.lower():
        text = GOOD_UNTIL.sub(" ", text)
    return bool(PRAISE.search(text))


def is_question(sentence: str) -> bool:
    return sentence.rstrip().endswith("?")


def one_plain_sentence(text: str) -> bool:
    """One sentence (a clause, a short post), not a question nor a contrast ("no issues, but it
    failed after a year"): what the mirror rules read. A longer text the model reads whole, and
    reads right more often."""
    return len(sentence_spans(text)) == 1 and not is_question(text) and not CONTRAST.search(text)


def denies_a_problem(text: str) -> bool:
    """One plain sentence that denies a failure and states none: "In two months we have not had
    a single outage", "Email has never dropped a message", "Never lets us down"."""
    text = (text or "").strip()
    return one_plain_sentence(text) and denies(text)


def remedies_a_problem(text: str) -> bool:
    """One plain sentence that tells of a failure put right soon or by the vendor: "Two incidents
    this year, both fixed within the hour", "When our import failed, their support team re-ran it
    overnight". Reviewers praise this; the model reads the failure."""
    text = (text or "").strip()
    return one_plain_sentence(text) and remedies(text)


def denies(sentence: str) -> bool:
    return bool(DENIED_FAILURE.search(sentence)) and not problem_sentences(sentence)


def lukewarm(sentence: str) -> bool:
    """A verdict neither good nor bad (``LUKEWARM``), not negated, with no praise and no failure
    beside it: "The service was ok", "Food is average" (not "ok and incredibly slow")."""
    return (
        said_unnegated(LUKEWARM, sentence)
        and not praises(sentence)
        and not problem_sentences(sentence)
    )


def said_unnegated(cue: re.Pattern, text: str) -> bool:
    """``cue``'s first match in ``text`` has no negation shortly before it (``NEGATED``)."""
    found = cue.search(text)
    return bool(found) and not NEGATED.search(text[: found.start()])


def only_asks(text: str) -> bool:
    """Every sentence asks ("Can I change the billing date without losing my discount?", "Does
    it offer phone support? I would like to know whether it is chat only")."""
    spans = sentence_spans(text)
    return bool(spans) and all(
        is_question(text[start:end]) or ASKING.search(text[start:end]) for start, end in spans
    )


def remedies(sentence: str) -> bool:
    fix = QUICK_FIX.search(sentence)
    if fix and not UNSURE.search(sentence[: fix.start()]):
        return True
    recovery = RECOVERY.search(sentence)
    return bool(recovery) and not ANY_NEGATION.search(
        sentence[sentence.index(",") : recovery.end()]
    )


def read_problem_statements(
    texts: list[str], results: list[SentimentResult]
) -> list[SentimentResult]:
    """The model's results, with a positive one that ``states_a_problem`` and a neutral one
    that ``states_a_problem_plainly`` read as negative (``read_negative``), a negative one that
    ``denies_a_problem`` or ``remedies_a_problem`` read as positive (its probabilities mirrored:
    the score changes sign, the confidence stays), and one plain sentence that is ``lukewarm``,
    or a positive text that ``only_asks``, read as neutral (score 0, the confidence stays)."""
    return [read_problem_statement(text, result)
            for text, result in zip(texts, results, strict=True)]  # fmt: skip


# What a topic's clause says that makes its aspect negative: a price called high ("Pricey"), a
# dish badly made ("the buns were stale", "portions were very small"), a loud or cramped room,
# rude staff, "could be better", "never came". A whole review that says so is often glad it
# went ("pricey but worth it"), so the text rule does not count these; in a clause they are the
# aspect's verdict.
ASPECT_COMPLAINTS = re.compile(
    r"\b(?:pricey|pricy|expensive|costly|on the (?:high|expensive|pricey) side"
    r"|bland|salty|soggy|over-?cooked|under-?cooked|greasy|stale|tasteless|flavou?rless|burnt"
    r"|rubbery|mushy|watery"
    r"|(?:portions?|servings?|dish(?:es)?) (?:were|was|are|is) (?:very |really |so |too |quite )?"
    r"(?:small|tiny)"
    r"|loud|noisy|crowded|cramped|dingy|dirty|filthy|smelly|hard to hear|rude|inattentive"
    r"|could (?:have been|be|use)(?: \w+){0,2} better|never (?:got|came|arrived|brought))\b",
    re.IGNORECASE,
)


def complains_of_the_aspect(clause: str) -> bool:
    """The clause complains of its aspect (``ASPECT_COMPLAINTS``), not negated ("not that
    expensive", "never bland", "could not be better") nor asking, and praises nothing
    ("expensive and worth every penny")."""
    return (
        said_unnegated(ASPECT_COMPLAINTS, clause)
        and not is_question(clause)
        and not praises(clause)
    )


def read_aspect_statements(
    clauses: list[str], results: list[SentimentResult]
) -> list[SentimentResult]:
    """``read_problem_statements`` for the clauses that carry topics, where a clause that
    ``complains_of_the_aspect`` reads negative too."""
    return [read_aspect_statement(clause, result)
            for clause, result in zip(clauses, results, strict=True)]  # fmt: skip


# A clause that tells the reader to have the thing ("Try the olive cream cheese", "Make sure you
# have the Spicy Scallop roll", "Don't miss the back room") recommends it; one that tells them
# to leave it ("You should pass on the calamari", "Skip the desserts") warns against it.
RECOMMENDS = re.compile(
    r"^\W*(?:(?:you (?:should|must|have to|need to|gotta) |be sure to |make sure (?:you |to )"
    r"|definitely |do |just )?(?:try(?! (?:again|to|later|and|it again|restarting|reinstalling"
    r"|clearing|turning|logging|signing|another))|go for"
    r"|(?:order|check out|sample) (?:the|a|an|their|one|some|any|this|these|it|them)(?= ))"
    r"|(?:do not|don'?t) (?:miss|pass up|leave without (?:trying|ordering))"
    r"|make sure (?:you |to )?(?:have|get|order|try))\b",
    re.IGNORECASE,
)
DISSUADES = re.compile(
    r"^\W*(?:(?:you (?:should|must|may want to|might want to) |i'?d |i would |just )?"
    r"(?:pass on|skip|stay away from|steer clear of))\b",
    re.IGNORECASE,
)


def advises(clause: str) -> str | None:
    """What a clause advises: "positive" when it tells the reader to have the thing
    (``RECOMMENDS``), "negative" when it tells them to leave it (``DISSUADES``), else None; not
    read in a question, nor beside a failure ("try the soup if you like it cold and bland")."""
    clause = (clause or "").strip()
    if DISSUADES.search(clause):
        advice = "negative"
    elif RECOMMENDS.search(clause):
        advice = "positive"
    else:  # most clauses: the failure search below is not needed
        return None
    if is_question(clause) or problem_sentences(clause) or ASPECT_COMPLAINTS.search(clause):
        return None
    return advice


def read_positive(result: SentimentResult) -> SentimentResult:
    """``result`` read as positive: a negative one's probabilities mirrored, a neutral one's
    neutral and positive probabilities swapped; the confidence stays."""
    if result.label == "negative":
        return replace(result, label="positive", score=-result.score)
    if result.label == "neutral":
        negative = (1.0 - result.confidence - result.score) / 2
        return replace(result, label="positive", score=result.confidence - negative)
    return result


def read_aspect_statement(clause: str, result: SentimentResult) -> SentimentResult:
    if complains_of_the_aspect(clause):  # negative, not lukewarm: "ok and incredibly salty"
        return read_negative(result)
    advice = advises(clause)
    if advice == "positive":
        return read_positive(result)
    if advice == "negative":
        return read_negative(result)
    return read_problem_statement(clause, result)


def states_a_problem_plainly(text: str) -> bool:
    """A failure is stated outside a question ("Does the update fix the sync?" asks), by a cue
    that is not ``AMBIGUOUS``, and nothing is praised."""
    stated = [s for s in problem_sentences(text, ambiguous=False) if not is_question(s)]
    return bool(stated) and not praises(text)


def read_negative(result: SentimentResult) -> SentimentResult:
    """``result`` read as negative: a positive one's probabilities mirrored (the score changes
    sign), a neutral one's neutral and negative probabilities swapped; the confidence stays."""
    if result.label == "positive":
        return replace(result, label="negative", score=-result.score)
    if result.label == "neutral":
        positive = (1.0 - result.confidence + result.score) / 2
        return replace(result, label="negative", score=positive - result.confidence)
    return result


def read_problem_statement(text: str, result: SentimentResult) -> SentimentResult:
    if (result.label == "positive" and states_a_problem(text)) or (
        result.label == "neutral" and states_a_problem_plainly(text)
    ):
        return read_negative(result)
    plain = (text or "").strip()
    if (
        result.label == "negative"
        and one_plain_sentence(plain)
        and (denies(plain) or remedies(plain))
    ):
        return read_positive(result)
    if result.label != "neutral" and one_plain_sentence(plain) and lukewarm(plain):
        return replace(result, label="neutral", score=0.0)
    if (
        result.label == "positive"
        and only_asks(plain)
        and not praises(plain)
        and not (SMILE.search(plain) or FINE.search(plain))
    ):
        return replace(result, label="neutral", score=0.0)
    return result
