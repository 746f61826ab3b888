"""Texts the int8 export reads once to fix each activation's quantisation range.

``groundswell/models/export.py`` quantises activations statically: every tensor a quantised
MatMul reads gets one fixed scale and zero point, measured on these texts, so that a text's
scores never depend on the texts it is batched with. Written for groundswell (no data set is
shipped): short and long, tweets and reviews and forum posts, praise and complaints, emoji,
hashtags, numbers, code, shouting and typos, so that the ranges cover what the tagger meets.
"""

from __future__ import annotations

CALIBRATION_TEXTS = (
    "I love this app, it works perfectly!",
    "Worst update ever. Everything is broken and support ignores me.",
    "The meeting is at 3pm on Tuesday in room 204.",
    "Support was slow but the price is fair.",
    "The app crashes every time I log in on my Pixel 7 😡😡",
    "Great onboarding, the docs walked us through the Salesforce integration.",
    "@user thanks for the quick reply, issue solved 👍 #happycustomer",
    "why does the sync keep failing?? tried reinstalling 3 times",
    "Never had a single outage in two years. Rock solid.",
    "It is not worth the money, you can't even export your own data.",
    "The pasta was cold, the waiter was rude and we waited 45 minutes for the bill.",
    "Cozy little place with friendly staff and amazing desserts, highly recommend!!!",
    "Room was clean, bed comfy, breakfast average. Would stay again for the location.",
    "Flight delayed 6 hours, no information, lost my luggage. Never again @airline",
    "Battery lasts all day and the screen is gorgeous, but the speaker is tinny.",
    "Returned it after a week: the charger stopped working and the case cracked.",
    "Does anyone know how to change the billing email on the Growth plan?",
    "Try `pip install --upgrade groundswell` and restart the worker; that fixed it for me.",
    "LGTM, merging. Nice cleanup of the parser tests.",
    "This PR breaks the build on Windows, please revert.",
    "Meh. It does the job I guess.",
    "ABSOLUTELY TERRIBLE CUSTOMER SERVICE!!! NOBODY ANSWERS THE PHONE!!!",
    "I cant beleive how easy the setup was, took like 10 mins lol",
    "Pricing went from $19 to $39 per agent per month with two weeks notice.",
    "Is it just me or has the dashboard been really slow since Monday?",
    "Kudos to the team for the new dark mode, my eyes thank you 🙏",
    "The API returns 500 errors for any request over 1 MB.",
    "We switched from Zendesk last spring and have not looked back.",
    "Honestly not bad for a free tool, although the ads are annoying.",
    "Nothing special. Average food, average service, average prices.",
    "Received the wrong size, exchange took three weeks and two phone calls.",
    "Fast delivery, well packed, product exactly as described. 5 stars.",
    "The new update removed the one feature I used every day. Why?",
    "Our 12-person team uses it for ticket triage, SLAs and customer portal.",
    "Security review passed: SSO, SCIM, audit logs and SOC 2 report available.",
    "Had high hopes but it keeps logging me out every few minutes.",
    "Thank you so much for fixing this so quickly!",
    "The hotel was fine but the noise from the bar kept us up until 2am.",
    "Does exactly what it says. No complaints.",
    "Ugh, another outage during peak hours. Third time this month.",
    "RT @user: New release is out with faster search and bulk edit",
    "Feature request: please let us schedule replies for later.",
    "The staff went above and beyond to make my mother's birthday special.",
    "Documentation is outdated and half the examples don't compile.",
    "Sehr gutes Produkt, schnelle Lieferung.",
    "Le service client est lent mais efficace.",
    "1/10 would not recommend",
    "ok",
    "Overall a solid product with a few rough edges in reporting and exports.",
    (
        "We rolled it out to 40 agents across three time zones. The first month was rough: "
        "imports dropped attachments, the Slack integration disconnected twice and support "
        "took days to answer. Since then things have improved a lot. Search is fast, the "
        "automation rules saved us hours every week and the new reporting dashboard finally "
        "shows what our managers ask for. Pricing is on the high side for small teams, and "
        "the enterprise tier is the only one with SSO, which is frustrating. Still, we "
        "renewed for another year and most of the team is happy with it."
    ),
    (
        "I have been a customer for five years and I am writing this because the last update "
        "broke the mobile app completely. It opens, shows a spinner, and closes. I reinstalled "
        "it, cleared the cache, tried two phones. Nothing. I opened a ticket on Monday and "
        "nobody has replied. For a tool we pay for per seat this is unacceptable, and if it is "
        "not fixed by the end of the month we will move to a competitor."
    ),
)
