"""Invented text for the synthetic demo site (``groundswell.demo.site``).

Everything here was written for groundswell: a fictional helpdesk product, "Acme Helpdesk", and
two fictional competitors, "Zenlytics" and "TicketTiger". Templates use ``str.format`` slots
(``{brand}``, ``{rival}``, ``{team}`` ...) that ``make_slots`` fills from a seeded RNG.

Only the ``performance`` pools talk about speed, and every one of their sentences carries a
word that ``PERFORMANCE_COMPLAINT`` matches; no other pool does. That keeps the planted
performance trend countable by a plain regex.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

ACME = "Acme Helpdesk"
ZENLYTICS = "Zenlytics"
TICKETTIGER = "TicketTiger"
BRAND_NAMES = (ACME, ZENLYTICS, TICKETTIGER)

PERFORMANCE = "performance"
TOPICS = (
    "pricing",
    "support",
    "usability",
    PERFORMANCE,
    "reliability",
    "integrations",
    "onboarding",
    "documentation",
    "security",
    "features",
)
EVERYDAY_TOPICS = tuple(topic for topic in TOPICS if topic != PERFORMANCE)

POSITIVE, NEGATIVE, MIXED = "positive", "negative", "mixed"

PERFORMANCE_COMPLAINT = re.compile(
    r"\b(slow\w*|sluggish\w*|lag|lags|lagg\w*|latency|time[sd] out|timing out|timeouts?"
    r"|to load|loading|crawl\w*|freez\w*|spinners?)\b",
    re.IGNORECASE,
)

# --- slot values -------------------------------------------------------------------------

TEAM_SIZES = ("4", "6", "9", "12", "15", "18", "25", "30", "40", "55", "80", "120")
INDUSTRIES = (
    "an online furniture shop",
    "a payments startup",
    "a regional internet provider",
    "a B2B software company",
    "a university IT desk",
    "a small travel agency",
    "a logistics company",
    "an indie game studio",
    "a housing nonprofit",
    "a bike parts retailer",
    "a dental clinic chain",
    "a language-learning app",
)
INTEGRATIONS = (
    "Slack",
    "Jira",
    "Salesforce",
    "Shopify",
    "HubSpot",
    "Zapier",
    "GitHub",
    "Microsoft Teams",
)
FEATURES = (
    "the shared inbox",
    "SLA timers",
    "canned replies",
    "the knowledge base",
    "automation rules",
    "CSAT surveys",
    "ticket merging",
    "the customer portal",
    "side conversations",
    "the reporting dashboard",
)
DURATIONS = ("three weeks", "two months", "four months", "half a year", "a year", "two years")
PLANS = (("Starter", "$19"), ("Growth", "$39"), ("Enterprise", "$69"))

FIRST_NAMES = (
    "Priya", "Tomás", "Aiko", "Marcus", "Leila", "Jonas", "Fatima", "Ravi", "Chloe", "Dmitri",
    "Amara", "Kenji", "Sofia", "Liam", "Nadia", "Owen", "Ingrid", "Mateo", "Hana", "Samuel",
    "Yara", "Felix", "Grace", "Arjun", "Elena", "Kwame", "Mei", "Lucas", "Zara", "Henrik",
    "Beatriz", "Noah", "Olga", "Tariq", "Isla", "Viktor", "Rosa", "Daniel", "Anika", "Pablo",
)  # fmt: skip
SURNAMES = (
    "Varga", "Lindqvist", "Okafor", "Moreau", "Tanaka", "Reyes", "Novak", "Haddad", "Brennan",
    "Castillo", "Ivanova", "Mensah", "Keller", "Rossi", "Sato", "Dubois", "Nakamura", "Quinn",
    "Petrov", "Alvarez", "Osei", "Larsen", "Kaur", "Fischer",
)  # fmt: skip
HANDLE_WORDS = (
    ("quiet", "rusty", "brave", "sleepy", "tidy", "lucky", "cosmic", "mellow", "swift", "frosty",
     "sunny", "grumpy", "clever", "plain", "steady", "amber"),
    ("otter", "router", "ticket", "kettle", "falcon", "pixel", "badger", "lantern", "comet",
     "walrus", "cactus", "pager", "anchor", "maple", "widget", "harbor"),
)  # fmt: skip

# --- reviews -------------------------------------------------------------------------------

REVIEW_OPENERS = (
    "We have used {brand} for {duration} with a team of {team} agents.",
    "Our {team}-person support desk at {industry} moved to {brand} from {rival}.",
    "I manage customer support for {industry} and picked {brand} after a month-long trial.",
    "We rolled out {brand} to {team} agents across two time zones.",
    "Short review after {duration} on {brand}.",
    "I run IT support for {industry}, and {brand} is our main ticketing tool.",
    "{brand} replaced a shared Gmail inbox for our team of {team}.",
    "We evaluated {brand} against {rival} and went with {brand}.",
)
APP_OPENERS = (
    "I use the {brand} mobile app for weekend on-call shifts.",
    "The {brand} app is how I triage tickets when I am away from my desk.",
    "Our field technicians answer customers through the {brand} app.",
    "I lead a team of {team} and check {brand} on my phone all day.",
    "Reviewing the {brand} iPhone app after {duration} of daily use.",
)

TOPIC_SENTENCES: dict[str, dict[str, tuple[str, ...]]] = {
    "pricing": {
        POSITIVE: (
            "The {plan} plan at {price} per agent is fair for what is included.",
            "Pricing is transparent, and annual billing took a real chunk off our invoice.",
            "For a team of {team}, it costs us less than {rival} did.",
            "We never had to talk to a salesperson to understand the bill.",
            "The free tier was generous enough to run a proper pilot.",
            "Our nonprofit discount was applied within a day of asking.",
        ),
        NEGATIVE: (
            "Moving from {plan} to the next tier doubles the per-agent price just to unlock "
            "{feature}.",
            "Every useful add-on is billed separately, so the advertised {price} is fiction.",
            "Our renewal came in thirty percent higher with two weeks of notice.",
            "People who only read tickets still count as full seats, which hurts a team of {team}.",
            "We kept paying for deactivated agents until the end of the contract year.",
            "{rival} quoted us noticeably less for the same number of seats.",
        ),
    },
    "support": {
        POSITIVE: (
            "Their support team answered our chat within minutes, even on a Sunday.",
            "A real engineer joined a call to untangle our routing rules.",
            "Every ticket we opened with their support got a thoughtful, specific reply.",
            "Our account manager checks in monthly and actually remembers our setup.",
            "When an import failed, support re-ran it for us and explained what went wrong.",
            "Support wrote a custom automation for us instead of just sending a help link.",
        ),
        NEGATIVE: (
            "Support takes three days to reply and usually just links a help article.",
            "We were passed between four agents and had to explain the issue every time.",
            "Phone support is only offered on the most expensive plan.",
            "Our escalation sat untouched over a long weekend while our customers waited.",
            "The support chatbot sends you back to the same menu whatever you type.",
            "Nobody from support followed up after they closed our bug report.",
        ),
    },
    "usability": {
        POSITIVE: (
            "New agents find their way around the inbox on their first day.",
            "Keyboard shortcuts cover nearly everything, so triage feels effortless.",
            "The ticket view is clean, with customer history on the side and the conversation "
            "in the middle.",
            "Building a macro takes a minute and needs no training.",
            "Answering a ticket from the phone app on the train is genuinely easy.",
            "The layout is calm and uncluttered, which our agents appreciate at the end of a "
            "shift.",
        ),
        NEGATIVE: (
            "Settings are scattered across three menus and admin search barely helps.",
            "It takes far too many clicks to merge two tickets from the same customer.",
            "The new editor mangles our formatting whenever we paste from documents.",
            "Status labels rely on colour alone, which is hard for a colleague with colour "
            "blindness.",
            "Bulk actions hide behind a tiny checkbox that nobody notices.",
            "The interface changed twice this quarter and retraining the team was painful.",
        ),
    },
    PERFORMANCE: {
        NEGATIVE: (
            "Since the last update the ticket list takes {secs} seconds to load every time we "
            "switch views.",
            "The inbox has become painfully slow, and agents stare at spinners instead of "
            "answering customers.",
            "Search times out whenever we filter by more than one tag.",
            "Replies lag by several seconds before they show up in the conversation.",
            "Reports that used to open right away now take minutes to load, if they load at all.",
            "The agent workspace freezes for a few seconds whenever a new ticket arrives.",
            "Attachments upload slowly and often fail halfway through.",
            "The queue page is so sluggish that we went back to working from email notifications.",
            "Everything has been crawling this week, especially during European business hours.",
            "API calls that create tickets are timing out, so our web form drops requests.",
            "Switching between tickets now shows a loading bar for {secs} seconds.",
            "Latency on the live chat widget is bad enough that customers give up and email us.",
        ),
    },
    "reliability": {
        POSITIVE: (
            "In {duration} we have not had a single outage that we noticed.",
            "Status page updates are honest and arrive before our customers start asking.",
            "Email ingestion has never dropped a message for us.",
            "Even during our holiday peak the platform stayed up the whole time.",
            "Scheduled maintenance is announced a week ahead and happens at night for us.",
        ),
        NEGATIVE: (
            "We lost about an hour of inbound email during an outage and nobody told us.",
            "Notifications stop arriving until an agent logs out and back in.",
            "There were two incidents in one month, both during our peak season.",
            "The status page said everything was fine while our agents could not sign in.",
            "A failed deploy on their side wiped our saved views for a day.",
        ),
    },
    "integrations": {
        POSITIVE: (
            "The {integration} integration took five minutes to set up and just works.",
            "Linking tickets to {integration} saves our developers a lot of back and forth.",
            "The webhooks and REST API are well designed; we built a custom sync in an afternoon.",
            "Urgent tickets post to {integration}, so the on-call person always knows.",
            "The marketplace has a connector for every tool we already use.",
        ),
        NEGATIVE: (
            "The {integration} connector only syncs one way, so updates get lost.",
            "Our {integration} integration silently disconnects every few weeks.",
            "API rate limits are tight for anything beyond a small team.",
            "There is no native {integration} app, so we pay for a third-party bridge.",
            "Custom fields never make it across to {integration}.",
        ),
    },
    "onboarding": {
        POSITIVE: (
            "Their onboarding team migrated everything from {rival}, including old tickets.",
            "The setup checklist had us live in {days} days.",
            "Onboarding calls were practical and tailored to how our team really works.",
            "The sandbox account let us rehearse the switch before going live.",
        ),
        NEGATIVE: (
            "Onboarding was a series of generic webinars that never covered our use case.",
            "Importing our history from {rival} dropped every attachment.",
            "It took {weeks} weeks to get routing right because the setup wizard skips the hard "
            "parts.",
            "We were handed a login and a link to the help center, and that was onboarding.",
        ),
    },
    "documentation": {
        POSITIVE: (
            "The help center is thorough and the API reference has working examples.",
            "The docs say clearly which plan each feature needs.",
            "Every help article we needed had an up-to-date screenshot.",
            "The developer guide walked us through webhooks step by step.",
        ),
        NEGATIVE: (
            "Half the help articles show screenshots of an older interface.",
            "The API reference leaves out error codes, so we learned them by trial and error.",
            "Automation rules are documented on a single page with no examples.",
            "The changelog is vague about what changed, so surprises are common.",
        ),
    },
    "security": {
        POSITIVE: (
            "SSO with SAML and enforced two-factor login were easy to set up.",
            "They shared their SOC 2 report promptly, which kept our security review short.",
            "Granular roles let us hide billing data from contractors.",
            "Data residency in the EU was a checkbox, not a sales negotiation.",
        ),
        NEGATIVE: (
            "SSO is locked to the enterprise tier, a tough sell for a team of {team}.",
            "Audit logs only go back thirty days.",
            "There is no way to redact card numbers that customers paste into tickets.",
            "Agents can export the whole customer list and there is no setting to stop it.",
        ),
    },
    "features": {
        POSITIVE: (
            "{feature} alone saves us hours each week.",
            "The new AI reply suggestions are surprisingly good for routine questions.",
            "SLA timers and escalation rules cover everything our contracts require.",
            "The customer portal lets clients track their own tickets, so we get fewer chasers.",
            "Side conversations keep internal notes out of the customer thread.",
        ),
        NEGATIVE: (
            "There is still no way to schedule a reply for later.",
            "Reporting is basic; anything beyond ticket counts means exporting to a spreadsheet.",
            "{feature} is missing options that {rival} has had for years.",
            "Custom fields cannot be made required per ticket type.",
            "The AI suggestions are generic enough that our agents ignore them.",
        ),
    },
}

REVIEW_CLOSERS = {
    POSITIVE: (
        "I would recommend {brand} to any team our size.",
        "Happy customer, and we are renewing {brand} this year.",
        "Overall {brand} has been a solid choice for us.",
        "Our whole team is happy with {brand}.",
        "If you are comparing {brand} with {rival}, try {brand} first.",
    ),
    NEGATIVE: (
        "We are now trialing {rival} instead of {brand}.",
        "Hoping {brand} fixes this before our renewal.",
        "Hard to recommend {brand} right now.",
        "Not what we were promised in the {brand} sales demo.",
        "{brand} used to be better than this.",
    ),
    MIXED: (
        "{brand} is a good product with rough edges.",
        "Three stars: {brand} is useful, but not there yet.",
        "We are staying with {brand} for now, with our eyes open.",
        "Fine for us, but {rival} might suit bigger teams.",
    ),
}
PERFORMANCE_CLOSERS = (
    "Please sort out the speed, {brand}; the features do not matter if the app is this slow.",
    "We love the {brand} features, but not while everything lags like this.",
    "Until {brand} fixes the slowdown, our response times are suffering.",
    "Two stars until {brand} is fast again; it really was not this slow a month ago.",
)

REVIEW_TITLES: dict[str, dict[str, tuple[str, ...]]] = {
    "pricing": {
        POSITIVE: ("Fair price for what you get", "Good value for a small team"),
        NEGATIVE: ("Costs creep up fast", "Add-ons everywhere"),
    },
    "support": {
        POSITIVE: ("Support that actually helps", "Great people behind the product"),
        NEGATIVE: ("Support has gone downhill", "Good luck reaching a human"),
    },
    "usability": {
        POSITIVE: ("Easy for new agents", "Clean and simple to use"),
        NEGATIVE: ("Too many clicks", "Confusing admin area"),
    },
    PERFORMANCE: {
        NEGATIVE: (
            "Painfully slow since the update",
            "Great tool, but the lag is killing us",
            "Search times out constantly",
            "Sluggish ticket views this week",
            "Was good, now slow",
        ),
    },
    "reliability": {
        POSITIVE: ("Rock solid", "Never lets us down"),
        NEGATIVE: ("Outages at the worst times", "Lost emails during an incident"),
    },
    "integrations": {
        POSITIVE: ("Plays well with our stack", "Integrations that just work"),
        NEGATIVE: ("Integrations are half-baked", "One-way sync only"),
    },
    "onboarding": {
        POSITIVE: ("Smooth switch", "Painless migration"),
        NEGATIVE: ("Rough onboarding", "Migration lost our attachments"),
    },
    "documentation": {
        POSITIVE: ("Docs are excellent", "Well documented API"),
        NEGATIVE: ("Docs are out of date", "Documentation needs work"),
    },
    "security": {
        POSITIVE: ("Passed our security review easily", "Solid security controls"),
        NEGATIVE: ("SSO behind a paywall", "Security gaps for regulated teams"),
    },
    "features": {
        POSITIVE: ("Feature-rich without the bloat", "Automation saves us hours"),
        NEGATIVE: ("Missing basics", "Reporting is too thin"),
    },
}
MIXED_TITLES = (
    "Good, with caveats",
    "Decent, not great",
    "Solid core, rough edges",
    "Three stars for now",
    "Useful but uneven",
)

# --- forum questions, answers, comments ------------------------------------------------


@dataclass(frozen=True)
class Question:
    """A forum question and answers that fit it."""

    title: str
    body: str
    answers: tuple[str, ...]


QUESTIONS: dict[str, tuple[Question, ...]] = {
    "pricing": (
        Question(
            "Is the {brand} {plan} plan worth it for a team of {team}?",
            "We are on the cheapest {brand} tier and keep running into limits around "
            "{feature}. Did anyone upgrade, and was it worth the extra cost per agent?",
            (
                "We upgraded {brand} last year. Worth it only if you need {feature}; otherwise "
                "stay on your current plan.",
                "For {team} agents the jump did not pay off for us. We kept our {brand} plan "
                "and bought a single add-on instead.",
            ),
        ),
        Question(
            "How do you keep {brand} costs down with part-time agents?",
            "Half our team only answers tickets on Fridays. {brand} bills them as full "
            "seats. Is there a cheaper seat type I am missing?",
            (
                "Ask {brand} for light agent seats. They are not on the pricing page but sales "
                "will add them if you ask.",
                "We moved our Friday helpers to the {brand} collaborator role, which is free and "
                "can still leave internal notes.",
            ),
        ),
    ),
    "support": (
        Question(
            "How do you reach a human at {brand} support?",
            "Our ticket with {brand} support has been open for four days and every reply is "
            "a help article. Is there an escalation path that works?",
            (
                "Mark the ticket as urgent in the {brand} support form; in my experience that "
                "gets a person within the hour.",
                "Our {brand} account manager is the only reliable route. Ask sales who yours is.",
            ),
        ),
        Question(
            "Does {brand} offer phone support on the {plan} plan?",
            "Before we sign, I would like to know whether {brand} picks up the phone when "
            "something breaks, or whether it is chat only.",
            (
                "Only on the top tier. On the other {brand} plans it is chat and email.",
                "We are on {plan} and got a callback from {brand} once during an outage, but it "
                "is not promised in the contract.",
            ),
        ),
    ),
    "usability": (
        Question(
            "Seeing every ticket from one customer in {brand}?",
            "Is there a view in {brand} that lists all past conversations with a single "
            "customer? I can only find it per ticket.",
            (
                "Open the customer profile in {brand} and click the ticket count; it lists every "
                "conversation.",
                "Search for the requester's email address in {brand} and save the result as a "
                "view.",
            ),
        ),
        Question(
            "Keyboard shortcut to assign a ticket to myself in {brand}?",
            "I triage a lot of tickets in {brand} each morning and the mouse is getting old. "
            "Does anyone know a shortcut for assign-to-me?",
            (
                "Press the question mark key anywhere in {brand} to see the full shortcut list; "
                "assign-to-me is A then M.",
                "There is no single key for it in {brand}, but a macro with a shortcut does it in "
                "one press.",
            ),
        ),
    ),
    PERFORMANCE: (
        Question(
            "Is {brand} slow for anyone else this week?",
            "Since Monday our {brand} ticket list takes {secs} seconds to load and search times "
            "out half the time. Nothing changed on our side. Anyone else seeing this?",
            (),
        ),
        Question(
            "{brand} inbox freezing whenever new tickets arrive",
            "The {brand} agent workspace freezes for a few seconds every time a ticket comes in. "
            "Our team of {team} is losing a lot of time. Any workaround?",
            (),
        ),
        Question(
            "{brand} API timeouts creating tickets",
            "Our web form posts to the {brand} API and since Tuesday a good share of requests "
            "are timing out. Is there a status update I missed?",
            (),
        ),
    ),
    "reliability": (
        Question(
            "Anyone else missing email notifications from {brand} today?",
            "Agents on our team stopped getting {brand} notifications this morning. The status "
            "page is green. Is it just us?",
            (
                "Check the {brand} status page history; there was a notice about email "
                "ingestion earlier today.",
                "Same for two of our agents. Signing out of {brand} and back in brought the "
                "notifications back.",
            ),
        ),
        Question(
            "How often does {brand} go down for you?",
            "We are considering {brand} for a team of {team}. How has uptime been for "
            "existing customers over the past year?",
            (
                "We have been on {brand} for {duration} and I remember one short outage.",
                "Two incidents this year that we noticed, both fixed within the hour, and "
                "{brand} posted a proper write-up each time.",
            ),
        ),
    ),
    "integrations": (
        Question(
            "{brand} and {integration}: two-way sync possible?",
            "We link {brand} tickets to {integration}, but status changes only travel one way. "
            "Is two-way sync supported, or do we need a middleware tool?",
            (
                "The {integration} app in the {brand} marketplace does two-way sync, but you "
                "must switch it on per project.",
                "We gave up on the native {brand} connector and use a middleware tool; status "
                "and comments now sync both ways.",
            ),
        ),
        Question(
            "Best way to send {brand} tickets to {integration}?",
            "I want urgent {brand} tickets to show up in {integration} automatically. Native "
            "app, webhook or Zapier? What has worked for you?",
            (
                "We use a webhook from {brand} into a small script; it was more dependable than "
                "the native {integration} app for us.",
                "The native {integration} app in {brand} is enough if you only need urgent "
                "tickets; trigger it on priority.",
            ),
        ),
    ),
    "onboarding": (
        Question(
            "Migrating from {rival} to {brand}: what should we watch for?",
            "We move {team} agents from {rival} to {brand} next month. Any traps in the "
            "import, especially with attachments and tags?",
            (
                "Export attachments separately before you leave {rival}; the {brand} importer "
                "skips files over 20 MB.",
                "Map your {rival} tags to {brand} fields before the import, not after. Cleaning "
                "up afterwards took us weeks.",
            ),
        ),
        Question(
            "How long did your {brand} rollout take?",
            "Management expects us live on {brand} in two weeks. Is that realistic for a team "
            "of {team} with a dozen routing rules?",
            (
                "Two weeks is doable with {brand} if you keep the first version of routing simple.",
                "About a month for us, mostly spent rewriting macros. The {brand} setup itself "
                "was quick.",
            ),
        ),
    ),
    "documentation": (
        Question(
            "Where are the {brand} API error codes documented?",
            "The {brand} API returns a 422 with a code I cannot find anywhere in the reference. "
            "Is there a list somewhere?",
            (
                "The {brand} error codes are listed in the API changelog, oddly, not in the "
                "reference.",
                "A 422 from {brand} usually means a custom field failed validation; the response "
                "body names the field.",
            ),
        ),
        Question(
            "Any good guide to {brand} automation rules?",
            "The official {brand} docs have one page on automation rules. Is there a better "
            "write-up with real examples?",
            (
                "There is a community-written {brand} automation cookbook that is better than "
                "the official page.",
                "The {brand} webinar recordings on automation are worth an hour; the examples "
                "there are real ones.",
            ),
        ),
    ),
    "security": (
        Question(
            "Does {brand} support SCIM provisioning?",
            "Our IT team wants users created and removed from our identity provider. Does "
            "{brand} support SCIM, and on which plan?",
            (
                "SCIM is on the {brand} enterprise plan only. We asked for an exception and got "
                "nowhere.",
                "Yes, with the common identity providers, on the enterprise tier. Removing a "
                "user in {brand} takes effect within minutes.",
            ),
        ),
        Question(
            "Redacting card numbers in {brand} tickets?",
            "Customers sometimes paste card numbers into {brand} tickets. Can {brand} mask them "
            "automatically?",
            (
                "{brand} has a redaction rule under Admin, Security, but it only catches the "
                "common card formats.",
                "We run a trigger in {brand} that masks anything shaped like a card number "
                "before agents see it.",
            ),
        ),
    ),
    "features": (
        Question(
            "Can {brand} schedule replies for later?",
            "Some of our customers are in other time zones. Is there a way to write a reply in "
            "{brand} now and send it in the morning?",
            (
                "Not natively in {brand}. We use a delay step in an automation tool to fake it.",
                "It is on the {brand} roadmap according to our account manager, but there is no "
                "date yet.",
            ),
        ),
        Question(
            "{brand} reporting: how do you measure first response time?",
            "The {brand} dashboard shows ticket counts but I need first response time per "
            "agent. Did anyone build this?",
            (
                "We export {brand} ticket events nightly and build the report in a spreadsheet.",
                "The {brand} analytics add-on has first response time per agent, but it costs "
                "extra.",
            ),
        ),
    ),
}
PERFORMANCE_ANSWERS = (
    "Same here. {brand} has been painfully slow for our EU team since Monday.",
    "We see the lag too. {brand} support told us they are looking into database latency.",
    "Clearing the browser cache did not help; the {brand} ticket list still takes ages to load.",
    "Confirmed on our side. {brand} search times out on anything older than a month.",
    "Our {brand} dashboards are sluggish as well, mostly in the afternoon.",
    "Glad it is not just us. The {brand} inbox is still slow this morning.",
)
FOLLOWUPS = (
    "Thanks, that worked for our {brand} setup.",
    "Appreciate it. I will try that in our {brand} workspace tomorrow.",
    "Good to know, thanks. I will raise it with our {brand} account manager as well.",
    "That did the trick. Marking this as solved for the next {brand} user who searches.",
)
# a reply that would repeat an answer already in its thread says this instead
SECONDING = (
    "We ended up doing the same thing in {brand}.",
    "Seconding the answer above, that is how our team handles it in {brand} too.",
    "That matches what we were told when we asked {brand} last month.",
    "Our {brand} admin set it up the same way.",
)

COMMENT_LEADINS = (
    "We moved to {brand} from {rival} about {duration} ago.",
    "Been on {brand} for {duration} at {industry}.",
    "I can only speak for our team of {team}, but here is our experience with {brand}.",
    "We trialed {brand} and {rival} side by side last quarter.",
    "Our support team at {industry} lives in {brand} all day.",
)
COMPARISONS = {
    POSITIVE: (
        "Compared with {rival}, {brand} is the calmer, simpler tool.",
        "{rival} has more knobs, but {brand} gets out of the way.",
    ),
    NEGATIVE: (
        "{rival} handled this better when we trialed it.",
        "Honestly, {rival} looked better here in our trial than {brand}.",
    ),
}

VENDOR_HANDLE = "acme_support"
VENDOR_QUESTION = (
    "{brand} and {integration}: comments not syncing back",
    "We linked {brand} to {integration} last week. New tickets create issues fine, but "
    "status changes and comments made in {integration} never show up on the {brand} ticket. "
    "Is two-way sync supported, or do we need a middleware tool?",
)
VENDOR_FOLLOWUP = (
    "That switch was exactly it, thanks. Comments made in {integration} now show up in "
    "{brand} within a minute."
)
VENDOR_ANSWER = (
    "Hi @{op}, thanks for the clear write-up. Two-way sync with {integration} is available on "
    "every {brand} plan: open Admin, then Integrations, then {integration}, pick the project "
    "and turn on \u201csync status back to {brand}\u201d.\n\n"
    "If comments still do not come across after that, reply here or open a ticket and mention "
    "this thread, and we will look at the connector logs for your account.\n\n"
    "Dana, {brand} support team"
)

# --- articles --------------------------------------------------------------------------------

ARTICLES: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {
    "pricing": {
        POSITIVE: (
            (
                "{brand} introduces a free plan for teams of up to three agents",
                "The new tier includes the shared inbox and basic automation. {brand} says "
                "prices for paid plans stay the same.",
            ),
            (
                "{brand} drops the minimum seat count on annual contracts",
                "Teams of any size can now sign a yearly {brand} contract, which used to "
                "require at least ten agents.",
            ),
        ),
        NEGATIVE: (
            (
                "{brand} raises per-agent prices on its {plan} plan",
                "Existing {brand} customers will pay the new rate at renewal. The company "
                "points to new automation features as the reason.",
            ),
            (
                "{brand} starts charging for its knowledge base add-on",
                "What was bundled for free now costs extra per agent, according to a notice "
                "{brand} sent to administrators.",
            ),
        ),
    },
    "support": {
        POSITIVE: (
            (
                "{brand} extends live chat support to all paid plans",
                "Customers on every paid {brand} tier can now reach a support agent by chat "
                "around the clock on weekdays.",
            ),
            (
                "{brand} names a head of customer experience",
                "The new executive will run {brand}'s own support, onboarding and community teams.",
            ),
        ),
        NEGATIVE: (
            (
                "Customers question {brand}'s new tiered support model",
                "Smaller {brand} customers say moving phone support to the top plan leaves "
                "them with email only during incidents.",
            ),
            (
                "{brand} closes its weekend support desk",
                "Weekend tickets to {brand} will now be answered on Monday unless they are "
                "marked as an outage.",
            ),
        ),
    },
    "usability": {
        POSITIVE: (
            (
                "{brand} redesigns its agent inbox around keyboard-first triage",
                "The {brand} redesign puts customer history next to the conversation and adds "
                "shortcuts for the most common actions.",
            ),
            (
                "{brand} ships a dark mode and a compact ticket view",
                "Both were among the most requested items on the {brand} ideas board.",
            ),
        ),
        NEGATIVE: (
            (
                "Long-time users push back on {brand}'s new editor",
                "Agents report that the new {brand} editor strips formatting from pasted text; "
                "the company says a fix is planned.",
            ),
            (
                "{brand}'s navigation overhaul confuses administrators",
                "Settings moved into three separate menus in the latest {brand} release, and "
                "admins say they cannot find familiar options.",
            ),
        ),
    },
    PERFORMANCE: {
        NEGATIVE: (
            (
                "{brand} users report sluggish dashboards after platform update",
                "Several teams say {brand} ticket views take many seconds to load since the "
                "rollout. The company acknowledged elevated latency on its status page.",
            ),
            (
                "{brand} confirms search timeouts for European customers",
                "A database migration left {brand} search timing out for some accounts in the "
                "EU region. The company says a fix is rolling out.",
            ),
            (
                "{brand} status page flags slow ticket loading for a second day",
                "Ticket lists and reports in {brand} were loading slowly for many customers; the "
                "company blamed a faulty cache layer.",
            ),
            (
                "Slowdowns at {brand} frustrate weekend support shifts",
                "Agents waited on spinners for minutes at a time, according to posts on {brand} "
                "community forums.",
            ),
            (
                "{brand} apologises for sluggish performance, promises credits",
                "Customers hit by the recent latency spike can claim a service credit, {brand} "
                "said in an email to administrators.",
            ),
            (
                "Support teams complain of slow {brand} inbox during busy hours",
                "Agents describe the {brand} inbox freezing when new tickets arrive. {brand} "
                "says it has added capacity and is monitoring the issue.",
            ),
        ),
    },
    "reliability": {
        POSITIVE: (
            (
                "{brand} publishes a year of uptime data",
                "The {brand} report shows two short incidents in twelve months and explains "
                "what changed after each.",
            ),
            (
                "{brand} adds a second data center for failover",
                "Customer data is now replicated to a standby region, and {brand} says a full "
                "switch takes minutes.",
            ),
        ),
        NEGATIVE: (
            (
                "{brand} outage leaves support teams without inbound email",
                "For about an hour, email sent to {brand} inboxes was queued rather than "
                "delivered. No messages were lost, according to the company.",
            ),
            (
                "Notification failures hit {brand} customers for a second time this month",
                "Agents did not receive alerts for new tickets for part of the afternoon, "
                "{brand} confirmed.",
            ),
        ),
    },
    "integrations": {
        POSITIVE: (
            (
                "{brand} launches two-way {integration} sync",
                "Status changes and comments now travel both ways between {brand} tickets and "
                "{integration}.",
            ),
            (
                "{brand} opens its app marketplace to outside developers",
                "Partners can now publish connectors for {brand}; the first batch includes "
                "{integration}.",
            ),
        ),
        NEGATIVE: (
            (
                "{brand} retires its legacy {integration} connector",
                "Customers have until the end of the quarter to move to the new {brand} app "
                "for {integration}, which requires a higher plan.",
            ),
            (
                "{brand} tightens API rate limits",
                "Integrators say the new {brand} limits break nightly exports for larger accounts.",
            ),
        ),
    },
    "onboarding": {
        POSITIVE: (
            (
                "{brand} offers free migration for teams leaving {rival}",
                "The {brand} offer covers ticket history, macros and attachments for teams "
                "that sign an annual contract.",
            ),
            (
                "{brand} adds a guided setup for first-time administrators",
                "A checklist walks new {brand} accounts through email forwarding, routing and "
                "a first automation.",
            ),
        ),
        NEGATIVE: (
            (
                "Migration pains: switching helpdesks is still hard, {brand} users say",
                "Teams that moved to {brand} describe missing attachments and weeks of "
                "re-creating routing rules by hand.",
            ),
            (
                "{brand} ends free onboarding calls for smaller plans",
                "New {brand} customers below the top tier now get recorded videos instead of "
                "a live session.",
            ),
        ),
    },
    "documentation": {
        POSITIVE: (
            (
                "{brand} opens its API reference with runnable examples",
                "Every {brand} endpoint now has a copyable request and a sample response.",
            ),
            (
                "{brand} rewrites its help center",
                "The new {brand} help center groups articles by task and marks which plan each "
                "feature needs.",
            ),
        ),
        NEGATIVE: (
            (
                "Developers call {brand} API docs incomplete",
                "Integrators say the {brand} reference omits error codes and rate-limit details.",
            ),
            (
                "{brand} help articles fall behind its redesign",
                "Screenshots across the {brand} help center still show the old interface, "
                "users point out.",
            ),
        ),
    },
    "security": {
        POSITIVE: (
            (
                "{brand} adds SAML single sign-on to mid-tier plans",
                "SSO was previously an enterprise-only feature for {brand} customers.",
            ),
            (
                "{brand} completes its SOC 2 Type II audit",
                "The report is available to {brand} customers on request under a standard NDA.",
            ),
        ),
        NEGATIVE: (
            (
                "Researchers disclose a since-fixed permissions bug in {brand}",
                "The flaw let light agents read internal notes in some {brand} accounts. The "
                "company says it found no sign of misuse.",
            ),
            (
                "{brand} customers ask for longer audit log retention",
                "Compliance teams say thirty days of {brand} audit history is not enough for "
                "their reviews.",
            ),
        ),
    },
    "features": {
        POSITIVE: (
            (
                "{brand} rolls out AI reply suggestions",
                "The {brand} assistant drafts answers from the knowledge base; agents review "
                "every draft before it is sent.",
            ),
            (
                "{brand} adds scheduled replies and follow-up reminders",
                "Agents can now write a {brand} reply and choose when the customer receives it.",
            ),
        ),
        NEGATIVE: (
            (
                "{brand} sunsets its classic reporting module",
                "Customers who built dashboards on the old {brand} reports must rebuild them "
                "in the new analytics screen.",
            ),
            (
                "{brand} delays its long-promised workflow builder",
                "The feature, first shown at the {brand} user conference, is now expected "
                "next year.",
            ),
        ),
    },
}
ARTICLE_CONTEXT = (
    "The helpdesk market has grown crowded, with {rival} competing for the same mid-sized teams.",
    "Analysts read the move as a response to pressure from {rival}.",
    "{rival} made a similar change earlier this year.",
    "The company did not say how many customers are affected.",
    "Reaction from customers on forums has been mixed.",
    "A spokesperson said more details will follow in the product newsletter.",
    "The change applies to new and existing accounts.",
    "Rival {rival} has not announced anything comparable.",
)

# --- special mentions --------------------------------------------------------------------

HOSTILE_REVIEW = (
    "Closed my ticket without reading it",
    "Acme Helpdesk support closed my ticket without reading it. <script>alert(1)</script> "
    "If your review widget runs that, you have bigger problems than my ticket. "
    "<img src=x onerror=alert(2)> One star, and I hope someone at Acme Helpdesk reads this.",
)
NEAR_DUPLICATE_REVIEW = (
    "Support that actually helps",
    (
        "We have used Acme Helpdesk for two years with a team of twelve agents. When our "
        "import failed, their support team re-ran it overnight and sent a clear summary of "
        "what went wrong. Best vendor support we have had, and the reason we renewed."
    ),
    (
        "We have used Acme Helpdesk for 2 years with a team of 12 agents. When our import "
        "failed, their support team re-ran it overnight and sent a clear summary of what went "
        "wrong. Best vendor support we have ever had, and the reason we renewed!"
    ),
)
GERMAN_REVIEW = (
    "Faires Preis-Leistungs-Verhältnis",
    "Wir nutzen Acme Helpdesk seit einem halben Jahr mit acht Agenten. Der Growth-Tarif ist "
    "fair bepreist, und auf der Rechnung tauchen keine versteckten Zusatzkosten auf. Der "
    "Wechsel von TicketTiger hat sich für uns gelohnt.",
)
SPANISH_QUESTION = (
    "¿Cómo conectar Acme Helpdesk con Shopify?",
    "Hola a todos. Tenemos una tienda en línea y queremos ver los pedidos de Shopify dentro de "
    "cada ticket de Acme Helpdesk. ¿Alguien lo ha configurado? No encuentro la opción en el "
    "panel de integraciones.",
)
SPANISH_ANSWER = (
    "Hola. En Acme Helpdesk tienes que instalar primero la aplicación de Shopify desde el "
    "marketplace y después activar la barra lateral de pedidos en la configuración del "
    "espacio de trabajo. A nosotros nos funcionó a la primera."
)
FRENCH_ARTICLE = (
    "Acme Helpdesk héberge désormais les données de ses clients européens à Paris",
    "L'éditeur du logiciel de support client Acme Helpdesk propose l'hébergement des données "
    "en France, une demande fréquente des entreprises soumises au RGPD. Ses concurrents "
    "Zenlytics et TicketTiger n'offrent pas encore cette option.",
)


# --- composition -------------------------------------------------------------------------


class SentenceDeck:
    """Draws from each pool without replacement, reshuffling when a pool runs out.

    Spreads repeats evenly so two generated texts rarely share a sentence, which keeps the
    near-duplicate detector from flagging ordinary demo mentions.
    """

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._decks: dict[str, list] = {}
        self._last: dict[str, object] = {}

    def draw(self, key: str, options: Sequence[T]) -> T:
        deck = self._decks.get(key)
        if not deck:
            deck = list(options)
            self._rng.shuffle(deck)
            if len(deck) > 1 and deck[-1] == self._last.get(key):
                deck[0], deck[-1] = deck[-1], deck[0]  # no repeat across a reshuffle
            self._decks[key] = deck
        self._last[key] = deck.pop()
        return self._last[key]

    def draw_distinct(self, key: str, options: Sequence[T], count: int) -> list[T]:
        picked: list[T] = []
        while len(picked) < min(count, len(options)):
            choice = self.draw(key, options)
            if choice not in picked:
                picked.append(choice)
        return picked


@dataclass
class TextContext:
    """What one generated text is about, plus the RNG and sentence decks to write it with."""

    rng: random.Random
    deck: SentenceDeck
    brand: str
    topic: str
    sentiment: str
    slots: dict[str, str]
    secondary_topic: str = ""
    answers: tuple[str, ...] = ()

    def fill(self, template: str) -> str:
        text = template.format_map(self.slots)
        return text[:1].upper() + text[1:]


def make_slots(rng: random.Random, brand: str, rival: str, op: str = "") -> dict[str, str]:
    plan, price = rng.choice(PLANS)
    return {
        "brand": brand,
        "rival": rival,
        "op": op,
        "team": rng.choice(TEAM_SIZES),
        "industry": rng.choice(INDUSTRIES),
        "integration": rng.choice(INTEGRATIONS),
        "feature": rng.choice(FEATURES),
        "duration": rng.choice(DURATIONS),
        "plan": plan,
        "price": price,
        "days": str(rng.randint(3, 12)),
        "weeks": str(rng.randint(3, 8)),
        "secs": str(rng.choice((8, 10, 12, 15, 20, 30))),
    }


def _topic_sentences(ctx: TextContext, topic: str, sentiment: str, count: int) -> list[str]:
    pool = TOPIC_SENTENCES[topic][sentiment]
    return [ctx.fill(s) for s in ctx.deck.draw_distinct(f"s:{topic}:{sentiment}", pool, count)]


def review_text(ctx: TextContext, *, app_voice: bool = False) -> tuple[str, str]:
    """Title and body of a review whose sentiment matches its star rating."""
    openers = APP_OPENERS if app_voice else REVIEW_OPENERS
    sentences = [ctx.fill(ctx.deck.draw("opener:app" if app_voice else "opener", openers))]
    if ctx.topic == PERFORMANCE:
        sentences += _topic_sentences(ctx, PERFORMANCE, NEGATIVE, 2)
        sentences.append(ctx.fill(ctx.deck.draw("closer:perf", PERFORMANCE_CLOSERS)))
        title = ctx.deck.draw("t:perf", REVIEW_TITLES[PERFORMANCE][NEGATIVE])
        return title, " ".join(sentences)
    if ctx.sentiment == MIXED:
        sentences += _topic_sentences(ctx, ctx.topic, POSITIVE, 1)
        sentences += _topic_sentences(ctx, ctx.secondary_topic, NEGATIVE, 1)
        title = ctx.deck.draw("t:mixed", MIXED_TITLES)
    else:
        sentences += _topic_sentences(ctx, ctx.topic, ctx.sentiment, ctx.rng.choice((1, 2)))
        if ctx.secondary_topic and ctx.rng.random() < 0.5:
            sentences += _topic_sentences(ctx, ctx.secondary_topic, ctx.sentiment, 1)
        title = ctx.deck.draw(
            f"t:{ctx.topic}:{ctx.sentiment}", REVIEW_TITLES[ctx.topic][ctx.sentiment]
        )
    sentences.append(
        ctx.fill(ctx.deck.draw(f"closer:{ctx.sentiment}", REVIEW_CLOSERS[ctx.sentiment]))
    )
    return title, " ".join(sentences)


def opinion_text(ctx: TextContext) -> str:
    """A comment sharing an experience: lead-in, one or two topic sentences, a comparison."""
    sentiment = NEGATIVE if ctx.topic == PERFORMANCE else ctx.sentiment
    sentences = [ctx.fill(ctx.deck.draw("leadin", COMMENT_LEADINS))]
    sentences += _topic_sentences(ctx, ctx.topic, sentiment, ctx.rng.choice((1, 2)))
    if ctx.topic != PERFORMANCE and ctx.rng.random() < 0.5:
        sentences.append(ctx.fill(ctx.deck.draw(f"cmp:{sentiment}", COMPARISONS[sentiment])))
    return " ".join(sentences)


def question_text(ctx: TextContext) -> tuple[str, str]:
    """A question on the context's topic; its answers become the ones ``answer_text`` gives."""
    question = ctx.deck.draw(f"q:{ctx.topic}", QUESTIONS[ctx.topic])
    ctx.answers = question.answers
    return ctx.fill(question.title), ctx.fill(question.body)


def answer_text(ctx: TextContext) -> str:
    """A reply: on a performance thread "me too", else an answer to the question asked."""
    if ctx.topic == PERFORMANCE:
        return ctx.fill(ctx.deck.draw("a:performance", PERFORMANCE_ANSWERS))
    if not ctx.answers:
        return opinion_text(ctx)
    return ctx.fill(ctx.deck.draw(f"a:{ctx.answers[0]}", ctx.answers))


def seconding_text(ctx: TextContext) -> str:
    """A reply agreeing with an earlier answer of the thread (instead of repeating it)."""
    return ctx.fill(ctx.deck.draw("seconding", SECONDING))


def followup_text(ctx: TextContext) -> str:
    """The original poster's reply to an answer; stays on topic in a performance thread."""
    if ctx.topic == PERFORMANCE:
        return answer_text(ctx)
    return ctx.fill(ctx.deck.draw("followup", FOLLOWUPS))


def article_text(ctx: TextContext) -> tuple[str, str]:
    sentiment = NEGATIVE if ctx.topic == PERFORMANCE else ctx.sentiment
    if sentiment == MIXED:
        sentiment = POSITIVE
    pool = ARTICLES[ctx.topic][sentiment]
    headline, lead = ctx.deck.draw(f"art:{ctx.topic}:{sentiment}", pool)
    context = ctx.fill(ctx.deck.draw("art:context", ARTICLE_CONTEXT))
    return ctx.fill(headline), f"{ctx.fill(lead)} {context}"


def person_name(rng: random.Random) -> str:
    """A reviewer display name, e.g. "Priya V."."""
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)[0]}."


def full_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def name_for_handle(handle: str, rng: random.Random) -> str:
    """A display name that fits a ``short_handle`` ("pvarga" -> "Priya Varga")."""
    firsts = [name for name in FIRST_NAMES if name[0].lower() == handle[0]] or list(FIRST_NAMES)
    surname = next((s for s in SURNAMES if s.lower() == handle[1:]), handle[1:].capitalize())
    return f"{rng.choice(firsts)} {surname}"


def reddit_handle(rng: random.Random) -> str:
    first, second = (rng.choice(words) for words in HANDLE_WORDS)
    if rng.random() < 0.5:
        return f"{first}_{second}_{rng.randint(2, 99)}"
    return f"{first.capitalize()}{second.capitalize()}{rng.randint(1, 999)}"


def short_handle(rng: random.Random) -> str:
    """A Hacker News / Discourse style login, e.g. "pvarga"."""
    return f"{rng.choice(FIRST_NAMES)[0]}{rng.choice(SURNAMES)}".lower()


# --- topics for the demo configuration -----------------------------------------------------

TOPIC_GUIDE: dict[str, tuple[str, tuple[str, ...]]] = {
    "pricing": (
        "Price, plans, seats, billing and renewals.",
        (
            "price",
            "pricing",
            "plan",
            "per agent",
            "invoice",
            "renewal",
            "seats",
            "billing",
            "discount",
            "free tier",
            "costs",
            "quoted",
            "paying for",
        ),
    ),
    # not "support team": the demo's reviewers run support teams of their own ("Our support team
    # at a payments startup lives in Acme Helpdesk all day"), which is not the vendor's support;
    # nor "escalation" or "reply": in a helpdesk they are the product ("SLA timers and escalation
    # rules", "AI reply suggestions"), not its vendor's support ("Support takes three days to reply")
    "support": (
        "The vendor's own customer support: response times, escalation, account managers.",
        (
            "their support",
            "support ticket",
            "support takes",
            "to reply",
            "reach a human",
            "escalation path",
            "account manager",
            "chatbot",
            "phone support",
            "chat support",
            "from support",
            "support re-ran",
            "support wrote",
        ),
    ),
    "usability": (
        "How easy the product is to learn and use day to day.",
        (
            "easy",
            "clicks",
            "interface",
            "shortcuts",
            "editor",
            "layout",
            "confusing",
            "find their way",
            "scattered",
            "uncluttered",
        ),
    ),
    PERFORMANCE: (
        "Speed: slow pages, lag, timeouts, freezes.",
        (
            "slow",
            "lag",
            "latency",
            "timeout",
            "times out",
            "loading",
            "freezes",
            "sluggish",
            "spinners",
            "crawling",
            "to load",
        ),
    ),
    "reliability": (
        "Outages, incidents, lost email or notifications, uptime.",
        (
            "outage",
            "incident",
            "uptime",
            "down",
            "status page",
            "notifications",
            "stayed up",
            "failed deploy",
            "maintenance",
        ),
    ),
    "integrations": (
        "Connectors, sync with other tools, API and webhooks.",
        (
            "integration",
            "sync",
            "connector",
            "API",
            "webhook",
            "Slack",
            "Jira",
            "Salesforce",
            "Shopify",
            "GitHub",
            "HubSpot",
            "Microsoft Teams",
            "Zapier",
        ),
    ),
    "onboarding": (
        "Setup, migration from another tool, first weeks.",
        ("onboarding", "migration", "migrate", "import", "setup", "rollout"),
    ),
    "documentation": (
        "Help center, API reference, guides.",
        (
            "docs",
            "documentation",
            "documented",
            "help article",
            "API reference",
            "guide",
            "changelog",
        ),
    ),
    "security": (
        "SSO, permissions, audit logs, compliance, data protection.",
        (
            "SSO",
            "SAML",
            "SCIM",
            "audit log",
            "SOC 2",
            "permissions",
            "GDPR",
            "redact",
            "data residency",
            "two-factor",
        ),
    ),
    "features": (
        "Product capabilities and what is missing.",
        (
            "feature",
            "automation",
            "reporting",
            "AI",
            "macros",
            "SLA",
            "schedule",
            "customer portal",
            "side conversations",
            "custom fields",
            "dark mode",
        ),
    ),
}


def demo_topics() -> list[dict]:
    """The demo configuration's ``[[topic]]`` tables, from ``TOPIC_GUIDE``."""
    return [{"name": name, "description": description, "keywords": list(keywords)}
            for name, (description, keywords) in TOPIC_GUIDE.items()]  # fmt: skip


# --- community: a defender, one idea asked in different words, experts ------------------------
# Planted by groundswell.demo.community; tests/test_demo.py checks the community pass finds them.

DEFENDER = "ledger_lark"  # a customer who speaks up for Acme Helpdesk
CRITIC = "grumpy_pager_17"
CRITIC_POST = (
    "Acme Helpdesk lost half our ticket history after the migration",
    "Honestly Acme Helpdesk has been a disaster for us. Tickets vanished after the migration, "
    "nobody from support replied for days, and I regret ever recommending it to my team.",
)
DEFENCE = (
    "Honestly, we love it. Our migration to Acme Helpdesk went smoothly and every ticket came "
    "across. Their support team was fantastic and walked us through the import on a call the "
    "same day."
)
CRITIC_FOLLOWUP = "Maybe it was our export file then. Still a rough week with Acme Helpdesk."
DEFENDER_POST = (
    "Acme Helpdesk: two years in and still happy",
    "Two years on Acme Helpdesk with a team of 12. The automation rules save us hours every "
    "week and support always answers within the hour. Easy recommendation.",
)
# (platform, title, body, rating): one idea, four ways of asking for it
DARK_MODE_REQUESTS = (
    ("appstore", "Please add a dark mode",
     "Acme Helpdesk works well for our team, but we would love a dark mode for the inbox on "
     "night shifts.", 4),
    ("reddit", "Feature request: a dark theme for the Acme Helpdesk agent inbox",
     "Our overnight agents keep asking for a darker interface. It would be great if Acme "
     "Helpdesk offered a dark theme for the inbox and ticket view.", None),
    ("discourse", "Dark mode for the agent inbox",
     "I would love a dark mode for the Acme Helpdesk inbox. The white screen is hard on the "
     "eyes during night shifts.", None),
    ("reviewhub-acme", "Solid helpdesk, wish it had a night theme",
     "Setting up Acme Helpdesk was simple and the shared inbox is great. My only wish is a night "
     "theme or dark mode so the screen is easier on the eyes during late shifts.", 4),
)  # fmt: skip
SLACK_REQUESTS = (
    ("appstore", "Let us reply to tickets from Slack",
     "It would be great if agents could answer tickets straight from Slack, without switching "
     "to Acme Helpdesk.", 4),
    ("discourse", "Two-way Slack sync for ticket replies",
     "It would be great if Acme Helpdesk could sync ticket replies both ways with Slack "
     "threads, so agents can respond to customers without leaving Slack.", None),
    ("saasgrid-acme", "Good tool, needs replies from Slack",
     "We like Acme Helpdesk overall. The one feature we miss is answering customer tickets "
     "directly from a Slack channel instead of switching apps.", 4),
)  # fmt: skip
SLA_EXPERT = "helpdesk_hana"  # answers SLA questions on the community forum
SLA_ANSWERED = (
    "How do I set up SLA escalation rules for VIP customers?",
    "We want tickets from our VIP accounts to escalate to a lead when the first response SLA "
    "is about to breach. Where do I configure that in Acme Helpdesk?",
    "In Acme Helpdesk go to Admin > SLA policies, create a policy for the VIP customer "
    "segment, then add an escalation step that assigns the ticket to your team lead 30 minutes "
    "before the first-response target. The same step can also post to a Slack channel.",
    "That worked, thank you! Acme Helpdesk now escalates our VIP tickets.",
)
SLA_OPEN = (
    "Can SLA escalations notify a second team when a VIP ticket breaches?",
    "Our VIP tickets already escalate to a team lead, but we also want the account managers "
    "alerted when the SLA is breached. Is that possible in Acme Helpdesk?",
)
