"""The problem-statement rule: a failure stated, nothing praised, reads negative; and one
sentence that denies a failure ("never lost a single ticket") reads positive."""

from __future__ import annotations

from groundswell.config import Config
from groundswell.models.sentiment import SentimentResult
from groundswell.tagging.problem_cues import (
    complains_of_the_aspect,
    denies_a_problem,
    lukewarm,
    praises,
    problem_sentences,
    read_aspect_statements,
    read_problem_statements,
    remedies_a_problem,
    states_a_problem,
)
from groundswell.tagging.tagger import Tagger


def test_failures_stated_are_problems():
    for text in (
        "The export page times out every single morning.",
        "Acme Helpdesk sunsets its classic reporting module",
        "Acme Helpdesk discontinues its free plan for small teams.",
        "The vendor ends support for the Android app in March.",
        "Acme Helpdesk retires its legacy mobile app.",
        "The Outlook add-in is no longer supported.",
        "Since the update the app crashes when I attach a PDF.",
        "Our calendar is not syncing with Outlook anymore.",
        "Opening a report takes 40 seconds.",
        "They now charge extra for the mobile app.",
        "Dashboards have been sluggish all week.",
        "The help center screenshots are out of date.",
        "Permissions are hard to find in the new admin area.",
        "Glad I'm not the only one: uploads keep timing out.",
        "A good number of our exports crash halfway.",
        "The CSV import lost all our custom fields.",
        "Moving from our old tool dropped half the ticket history.",
        "It took three months to get SSO configured.",
        "Support takes three days to reply and usually just links a help article.",
        "Agents on our team stopped getting notifications this morning.",
        "Anyone else missing email notifications today?",
        "Hoping Acme Helpdesk fixes this before our renewal.",
        "Please fix the export, it is the one thing we need.",
        "The mobile app is clunky. Our previous vendor did this far better than Acme.",
        "Reports time out every Monday; the old system handled them better.",
        "Our Jira integration silently disconnects every few weeks. Hard to recommend it now.",
        "The Shopify connector only syncs one way, so updates get lost.",
        "Nobody from support followed up after they closed our bug report.",
        "Not what we were promised in the sales demo. I can't recommend Acme to anyone.",
        "The app used to be really good, but now it freezes every time I open a ticket.",
        "I used to love this tool. Since the redesign everything is slow.",
        "Was good, now slow. Reports take minutes to load.",
        "Uploads are slow. We love the features, but not while everything lags like this.",
        "Integrations are half-baked I manage support for a payments startup.",
        "The mobile app has been glitchy since the last update.",
        "There is no native Slack app, so we pay for a third-party bridge.",
        "Never again!",
        "Save your money and pay for something that works.",
        "Stay away from the enterprise plan.",
        "Not worth the price.",
        "What a waste of time.",
        "The new editor is not so good, and it lags.",  # praise denied: a problem and no praise
        "Drinks way over priced.",
        "The enterprise plan is too expensive for a team of ten.",
        "The mobile app's search is subpar.",
        "A mediocre release.",
        "We could do without the pop-ups.",
        "The office is too loud for calls.",
        "The lounge was mediocre at best.",  # "best" does not praise here
        "The food could have been a lot better, and the drinks were overpriced.",
        "Automation rules are documented on a single page with no examples.",
        "We have had no response to three emails.",
        "The integration stopped syncing without any warning.",
        "Our plan was changed without notice.",
        "The status page said everything was fine while our agents could not sign in.",
        "Since the update I can't log into my account.",
        "Phone support is only offered on the most expensive plan.",
        "Acme Helpdesk ends free onboarding calls for smaller plans",
        "The vendor scrapped its free tier for teams under five.",
        "TicketTiger delays its long-promised workflow builder",
        "Status labels rely on colour alone, which is hard for a colleague with colour blindness.",
        # "good luck" that praises nothing: the failure counts
        "Good luck reaching a human. Phone support is only offered on the most expensive plan.",
    ):
        assert states_a_problem(text), text


def test_negated_fixed_or_praised_failures_are_not():
    for text in (
        "It never crashes, even with a thousand open tabs.",
        "No lag at all since we moved to the new plan.",
        "There was an outage in May, fixed within the hour.",
        "Search is a bit slow at times, but we love the automation rules.",
        "Why is the sync button grey?",
        "The reporting is not confusing at all.",
        "Good to know! The export no longer times out for us.",
        "They dropped the price of the starter plan.",
        "Acme Helpdesk drops the minimum seat count on annual contracts.",
        "The closer retires the side in order in the ninth.",
        "Setup took 10 minutes and we never lost a message.",
        "Slack never disconnects now. I can't recommend Acme Helpdesk enough.",
        "We got lost in the old tool's menus; Acme is a relief and we recommend it.",
        "The app used to crash, but now it is great.",
        "We love the features, but search is slow on big inboxes.",
        "It works out of the box with no instructions needed.",
        "We have never been locked out, and SSO sign-in is fast.",
        "I'd be amazed if this code is not working correctly. Good luck!",  # a sign-off praises
        "It is not hard for new agents to learn.",
    ):
        assert not states_a_problem(text), text


def test_praise_that_held_only_until_something_changed_is_a_problem():
    """A decline: the praise is in the past and something ended it ("was great until the last
    update"). The model reads the praise; the reviewer is complaining."""
    for text in (
        "It was the best tool we had, until they removed the free plan.",
        "App was working great until the recent update.",
        "Everything was good until the household policy came up.",
        "Acme Helpdesk used to be great.",
        "I used to love this app.",
        "The mobile app used to work perfectly.",
        "The export used to work, now it returns blank files.",
        "Reporting has gone downhill since the redesign.",
        "The inbox gets worse with every release.",
        "SLA timers lack options. Acme Helpdesk used to be better than this.",
        "Reporting used to be much better.",
    ):
        assert states_a_problem(text), text
    for text in (
        "I got used to the new layout in a day and now love it.",
        "We used to work with spreadsheets before we moved to Acme.",
        "The tag field is used to route tickets.",
        "The party was great until 2 in the morning, then we went home.",
        "Great from the first call until the end of the migration.",
        "It helps with all the chores I used to enjoy.",
        "Was great until the update, but the fix came fast and it is excellent again.",
    ):
        assert not states_a_problem(text), text


def test_praise_conceded_before_two_failures_does_not_outweigh_them():
    """A text that concedes its praise ("Great tool, but ..."): beside two or more stated
    failures it is a complaint; beside one, a review with pros and cons that keeps the model's
    label."""
    text = (
        "Great tool, but the lag is killing us. Attachments upload slowly and often fail. "
        "The agent workspace freezes whenever a new ticket arrives."
    )
    assert states_a_problem(text)
    for text in (
        "Great tool, but the mobile app is slow.",
        "Great tool. Uploads are slow and the inbox freezes now and then.",  # not conceded
        "Great tool, but uploads are slow. The inbox freezes. Support is great though.",
    ):
        assert not states_a_problem(text), text


def test_asking_for_the_best_way_praises_nothing():
    assert not praises("Best way to send Acme Helpdesk tickets to GitHub?")
    assert not praises("What are the best practices for SLA escalations?")
    assert praises("The best way to learn it is the docs, which are great.")
    assert praises("Best helpdesk we have used.")


def test_only_the_sentences_that_state_the_failure_are_returned():
    text = "We moved from a spreadsheet last year. The dashboard times out after lunch."
    assert problem_sentences(text) == ["The dashboard times out after lunch."]


def test_a_positive_reading_is_turned_and_its_score_mirrored():
    texts = ["The sync has been broken since Friday."] * 2 + ["Thanks, it works now."]
    results = [
        SentimentResult("positive", 0.4, 0.6, "m"),
        SentimentResult("negative", -0.7, 0.8, "m"),
        SentimentResult("positive", 0.9, 0.9, "m"),
    ]
    read = read_problem_statements(texts, results)
    assert read[0] == SentimentResult("negative", -0.4, 0.6, "m")
    assert read[1:] == results[1:]


def test_a_neutral_reading_of_a_stated_failure_reads_negative():
    """Press and forum posts state failures flatly ("A database migration left search timing
    out for some accounts"): the model reads them neutral, a marketer reads bad news. The neutral
    and negative probabilities swap: the label is negative, the confidence stays."""
    neutral = SentimentResult("neutral", 0.1, 0.5, "m")  # P(neg) 0.2, P(neutral) 0.5, P(pos) 0.3
    read = read_problem_statements(
        ["A database migration left Acme search timing out for some EU accounts."], [neutral]
    )
    assert read[0].label == "negative" and read[0].confidence == 0.5
    assert abs(read[0].score - (0.3 - 0.5)) < 1e-9


def test_a_neutral_reading_is_kept_when_the_failure_is_asked_about_or_played_down():
    neutral = SentimentResult("neutral", 0.1, 0.5, "m")
    for text in (
        "Does the new release fix this crash?",
        "We have been on TicketTiger for a year and I remember one short outage.",
        "While everyone is out in the freezing cold, I sit here with the new release notes.",
        "The docs explain that the retry setting can be used to avoid it.",
        "Setup is slow, but the support team was great.",
    ):
        assert read_problem_statements([text], [neutral]) == [neutral], text


def test_the_tagger_applies_the_rule_unless_the_config_turns_it_off():
    text = "Acme search times out constantly"  # the model alone reads this positive
    alone = Tagger(Config.model_validate({"model": {"problem_cues": False}}))
    assert alone.predict_sentiment([text])[0].label == "positive"
    assert Tagger(Config()).predict_sentiment([text])[0].label == "negative"


def test_the_tagger_reads_flat_news_of_a_failure_negative():
    """The model alone reads these neutral; a marketer reads bad news (and a failure played down
    as neutral)."""
    texts = [
        "Acme Helpdesk's navigation overhaul confuses administrators. Settings moved into three "
        "separate menus in the latest release.",
        "A database migration left Acme Helpdesk search timing out for some accounts in the EU.",
        "We have been on TicketTiger for a year and I remember one short outage.",
    ]
    alone = Tagger(Config.model_validate({"model": {"problem_cues": False}}))
    assert [r.label for r in alone.predict_sentiment(texts)] == ["neutral"] * 3
    read = Tagger(Config()).predict_sentiment(texts)
    assert [r.label for r in read] == ["negative", "negative", "neutral"]


def topic_sentiments(texts: list[str]) -> dict[bool, list[dict[str, str]]]:
    """Each text's topics and their sentiments, without (False) and with (True) the rules."""
    found = {}
    for cues in (False, True):
        tagger = Tagger(Config.model_validate({"model": {"problem_cues": cues}}))
        found[cues] = [{h.name: h.sentiment for h in hits} for hits in tagger.topics.tag(texts)]
    return found


def test_a_topics_clause_that_states_a_failure_reads_negative_too():
    """Aspect sentiment reads the clause that carries the topic: the same rule applies there,
    so a 'performance' complaint is not counted as praise of performance in the digest."""
    text = "Confirmed here too. Acme Helpdesk search times out on anything older than a year."
    sentiments = {cues: found[0] for cues, found in topic_sentiments([text]).items()}
    assert sentiments[False] and "positive" in sentiments[False].values()
    assert set(sentiments[True]) == set(sentiments[False])
    assert set(sentiments[True].values()) == {"negative"}


def test_the_intent_of_a_stated_problem_is_not_praise():
    """The intent stage takes an unrated mention's polarity from the sentiment the tagger
    stores, so a complaint the rule turned is not tagged praise (nor an advocate's evidence)."""
    mention = {"id": "m1", "body": "Slack sync times out constantly."}
    intents = {}
    for cues in (False, True):
        tagger = Tagger(Config.model_validate({"model": {"problem_cues": cues}}))
        columns = tagger.tag([mention]).mentions[0].columns
        intents[cues] = (columns["text_sentiment"], columns["intent"])
    assert intents[False] == ("positive", "praise")  # the model alone
    assert intents[True] == ("negative", "complaint")


def test_the_plain_verb_time_out_is_a_failure():
    assert states_a_problem("Exports time out constantly.")
    assert not states_a_problem("Exports used to time out, but that was fixed in May.")


def test_one_sentence_that_denies_a_failure_denies_a_problem():
    for text in (
        "In two months we have not had a single outage that we noticed.",
        "Email ingestion has never dropped a message for us.",
        "In two years it has never lost a single ticket.",
        "Never lets us down",
        "No lag, no freezes, no drama.",
        "The app never crashes, even with hundreds of open tickets.",
        "We have had no issues with the Jira integration.",
        "We never had to talk to a salesperson to understand the bill.",
        "Building a macro takes a minute and needs no training.",
        "Almost zero learning curve.",
        "You really can't go wrong with the basic plan.",
        "I could not be happier with how the migration went.",
        "This place never disappoints.",
        "Try the reporting add-on, you won't be disappointed.",
        "Hard to beat at this price.",
        "We were pleasantly surprised by the mobile app.",
        "Acme Helpdesk exceeded our expectations.",
        "The prices cannot be beat for what you get.",
        "If you need a shared inbox, look no further.",
        "I cannot imagine a friendlier support team.",
        "Three years in and not once has an update disappointed.",
        "The mobile app comes at no extra charge.",
        "The chocolate cake is to die for.",
        "The annual plan is an absolute steal.",
        "Their add-ons are never overpriced.",  # a failure denied
    ):
        assert denies_a_problem(text), text
    for text in (
        "Not a single reply from support in two weeks.",  # a good thing denied
        "The support team never answers emails.",
        "No problem, I will send the logs tomorrow.",  # a reply, not a verdict
        "Can I change the billing date without losing my discount?",
        "No issues at first, but it crashed after a year.",
        "It never crashes. Support is slow, though.",  # two sentences: the model reads them
        "It never crashes, but the search times out constantly.",
        "I never had to wait this long for a refund.",
        "If you can't beat the bottom teams, who do you beat?",  # a question, not an idiom
        "The cake was fine, but not to die for.",
        "Not a steal at that price.",
    ):
        assert not denies_a_problem(text), text


def test_a_failure_put_right_soon_or_by_the_vendor_remedies_a_problem():
    for text in (
        "Two incidents this year that we noticed, both fixed within the hour.",
        "When our import failed, their support team re-ran it overnight.",
        "After the outage, they restored everything within an hour.",
        "Issues are always quickly resolved.",
        "They solved the problem in 10 minutes.",
        "Something went wrong with my order and they fixed it right away.",
    ):
        assert remedies_a_problem(text), text
    for text in (
        "I would like it resolved quickly.",  # asked for
        "This can't be resolved quickly.",
        "Please get this fixed quickly.",
        "The money was neither delivered nor immediately refunded.",
        "Was it fixed within the hour?",
        "It was fixed quickly, but it broke again the next day.",
        "When our import failed, support never fixed it.",
        "When our import failed, nobody helped.",
        "When we moved offices, they re-ran the setup.",  # nothing failed
        "It was fixed quickly. Then it broke again.",  # two sentences: the model reads them
    ):
        assert not remedies_a_problem(text), text


def test_a_negative_reading_of_a_remedy_is_turned_positive():
    text = "When our import failed, their support team re-ran it overnight."
    read = read_problem_statements([text], [SentimentResult("negative", -0.86, 0.9, "m")])
    assert read == [SentimentResult("positive", 0.86, 0.9, "m")]


def test_only_a_negative_reading_of_a_denial_is_turned_positive():
    texts = ["Email ingestion has never dropped a message for us."] * 3
    results = [
        SentimentResult("negative", -0.5, 0.7, "m"),
        SentimentResult("neutral", -0.1, 0.5, "m"),
        SentimentResult("positive", 0.6, 0.7, "m"),
    ]
    read = read_problem_statements(texts, results)
    assert read[0] == SentimentResult("positive", 0.5, 0.7, "m")
    assert read[1:] == results[1:]


def test_a_topics_clause_that_denies_a_failure_reads_positive():
    """A five-star review praising uptime: its reliability topic is praise, not a complaint
    (the model alone reads "never dropped a message" and "not had a single outage" as bad)."""
    texts = [
        "Status page updates are honest and arrive before our customers start asking. "
        "In two months we have not had a single outage that we noticed.",
        "Even during our holiday peak the platform stayed up. "
        "Email ingestion has never dropped a message for us.",
    ]
    sentiments = topic_sentiments(texts)
    assert sentiments[False][0]["reliability"] != "positive"
    assert "negative" in sentiments[False][1].values()
    assert sentiments[True][0]["reliability"] == "positive"
    assert set(sentiments[True][1].values()) == {"positive"}


def test_a_topics_clause_that_tells_of_a_remedy_or_takes_praise_back_reads_so():
    """Two demo reviews: support putting a failed import right is praise of the support topic;
    "we love the features, but not while everything lags" is no praise of the features."""
    texts = [
        "We have used Acme Helpdesk for two years. When our import failed, their support team "
        "re-ran it overnight and sent a clear summary of what went wrong.",
        "Reports take minutes to load. We love the Acme Helpdesk features, but not while "
        "everything lags like this.",
    ]
    sentiments = topic_sentiments(texts)
    assert sentiments[False][0]["support"] == "negative"
    assert sentiments[True][0]["support"] == "positive"
    assert sentiments[False][1]["features"] == "positive"
    assert sentiments[True][1]["features"] == "negative"


def test_a_lukewarm_verdict_is_neither_praise_nor_complaint():
    for text in [
        "The service was ok.",
        "Support is okay.",
        "Food is average.",
        "The onboarding was just alright.",
        "The food was so-so.",
        "The reports were nothing out of the ordinary.",
        "Service and food is what anyone would expect for that money.",
    ]:
        assert lukewarm(text), text
    for text in [
        "The service is not ok.",  # negated: a complaint
        "The food is above average for midtown.",  # a verdict
        "It was ok, great staff.",  # praise beside it
        "Search is just ok and times out twice a day.",  # a failure beside it
        "Ok, here is how we set it up.",  # an interjection, no verdict
        "Everything is ok now.",  # put right: the model reads it
    ]:
        assert not lukewarm(text), text


def test_a_one_sentence_lukewarm_reading_is_neutral():
    texts = [
        "The service was ok.",
        "The service was ok.",
        "The service was ok, but the food was great.",
    ]
    results = [
        SentimentResult("positive", 0.8, 0.9, "m"),
        SentimentResult("negative", -0.6, 0.7, "m"),
        SentimentResult("positive", 0.5, 0.6, "m"),
    ]
    read = read_problem_statements(texts, results)
    assert read[:2] == [SentimentResult("neutral", 0.0, 0.9, "m"),
                        SentimentResult("neutral", 0.0, 0.7, "m")]  # fmt: skip
    assert read[2] == results[2]  # a contrast: the model reads the whole


def test_a_topics_lukewarm_clause_reads_neutral():
    """'Pricing is average' is no complaint about pricing (the model alone reads it negative;
    SemEval-2014 calls 'Service is average' neutral)."""
    text = "We have used Acme Helpdesk for a year. Pricing is average."
    sentiments = {cues: found[0] for cues, found in topic_sentiments([text]).items()}
    assert sentiments[False].get("pricing") == "negative"
    assert sentiments[True].get("pricing") == "neutral"


def test_a_question_that_praises_nothing_is_not_read_positive():
    """The demo's pre-sales question ("Does Acme Helpdesk offer phone support on the Starter
    plan? Before we sign, I would like to know whether...") was shown positive in the inbox."""
    asking = [
        "Does Acme Helpdesk offer phone support on the Starter plan? Before we sign, I would "
        "like to know whether it picks up the phone when something breaks.",
        "Can I change the billing date without losing my discount?",
    ]
    kept = [
        "Is the enterprise plan worth it for a team of ten?",  # a praise word: the model decides
        "This looks fine, but could the retry count be a setting?",
        "Love it. Any plans for a dark mode?",  # not only questions
    ]
    positive = SentimentResult("positive", 0.7, 0.8, "m")
    read = read_problem_statements(asking + kept, [positive] * 5)
    assert read[:2] == [SentimentResult("neutral", 0.0, 0.8, "m")] * 2
    assert read[2:] == [positive] * 3
    negative = SentimentResult("negative", -0.7, 0.8, "m")
    assert read_problem_statements(asking[:1], [negative]) == [negative]


def test_a_clause_that_calls_a_price_high_or_a_dish_badly_made_complains_of_its_aspect():
    for clause in ("A little pricey", "For the quality of food, a little too expensive.",
                   "The buns were stale", "The portions were very small",
                   "The sides were ok and incredibly salty.", "It is LOUD, HOT and DARK.",
                   "could be better", "The staff were rude", "asked 4 times but never got it"):  # fmt: skip
        assert complains_of_the_aspect(clause), clause
    for clause in ("Not that expensive for Manhattan", "Is it expensive?",
                   "Expensive, and worth every penny", "The sauce was never bland",
                   "The portions were huge", "It could not be better", "Never loud"):  # fmt: skip
        assert not complains_of_the_aspect(clause), clause


def test_an_aspect_complaint_reads_negative_in_a_clause_not_in_a_whole_text():
    """SemEval-2014 calls the price of "Pricey, but worth a try" negative; a review that says so
    is often glad it went, so the text's own reading keeps the model's label."""
    positive = SentimentResult("positive", 0.6, 0.7, "m")
    neutral = SentimentResult("neutral", 0.1, 0.5, "m")
    negative = SentimentResult("negative", -0.5, 0.6, "m")
    read = read_aspect_statements(["A little pricey", "The buns were stale",
                                   "The sides were ok and incredibly salty."],
                                  [positive, neutral, negative])  # fmt: skip
    assert [r.label for r in read] == ["negative"] * 3
    assert read[2] == negative  # not the lukewarm rule's neutral
    assert read_problem_statements(["A little pricey"], [positive]) == [positive]


def test_a_clause_that_tells_the_reader_to_have_it_or_leave_it_reads_so():
    """ "Try sushimi cucumber roll" recommends the food (the model read it negative); "You should
    pass on the calamari" warns against it. Clauses only; asked, or with a failure beside it,
    the advice is not read."""
    from groundswell.tagging.problem_cues import advises

    for clause in ("Try sushimi cucumber roll.", "Make sure you have the Spicy Scallop roll.",
                   "Do not miss the tiramisu", "Check out the secret back room."):  # fmt: skip
        assert advises(clause) == "positive", clause
    for clause in ("You should pass on the calamari.", "Skip the desserts"):
        assert advises(clause) == "negative", clause
    for clause in ("Try to snag an outside table.", "Try again later, the site times out.",
                   "Order the fish?", "Try the soup if you like it bland",
                   "Order was wrong and late", "Check out is on the second floor",
                   "We tried the soup."):  # fmt: skip
        assert advises(clause) is None, clause
    negative = SentimentResult("negative", -0.4, 0.6, "m")
    neutral = SentimentResult("neutral", 0.1, 0.5, "m")  # P(neg) 0.2, P(neutral) 0.5, P(pos) 0.3
    read = read_aspect_statements(["Try sushimi cucumber roll.", "Try the olive cream cheese",
                                   "You should pass on the calamari."],
                                  [negative, neutral, neutral])  # fmt: skip
    assert read[0] == SentimentResult("positive", 0.4, 0.6, "m")
    assert read[1].label == "positive" and abs(read[1].score - (0.5 - 0.2)) < 1e-9
    assert read[2].label == "negative"
    assert read_problem_statements(["Try sushimi cucumber roll."], [negative]) == [negative]
