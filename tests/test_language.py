from __future__ import annotations

from groundswell.tagging.language import (
    detect_languages,
    detect_mention_languages,
    detectable_text,
    is_out_of_domain,
    is_plainly_english,
    unread_flags,
)


def test_short_texts_in_common_languages():
    texts = [
        "The support team never answered my ticket.",
        "Der Kundenservice hat nie auf meine Anfrage geantwortet.",
        "Le service client n'a jamais répondu à ma demande.",
        "El servicio de atención al cliente nunca respondió.",
        "Great app, love it",
        "Sehr gutes Produkt",
        "Très bon produit",
        "Muy buena aplicación",
    ]
    assert detect_languages(texts) == ["en", "de", "fr", "es", "en", "de", "fr", "es"]


def test_other_scripts():
    texts = ["客服三天才回复我的问题。", "サポートの返信に三日もかかりました。",
             "Служба поддержки отвечала три дня."]  # fmt: skip
    assert detect_languages(texts) == ["zh", "ja", "ru"]


def test_empty_and_too_short_texts_give_none_in_place():
    texts = ["", "ok", "The support team never answered my ticket.", "+1 :)", "   "]
    assert detect_languages(texts) == [None, None, "en", None, None]
    assert detect_languages([]) == []
    assert detect_languages(["", "lol"]) == [None, None]


def test_urls_and_handles_do_not_count_as_text():
    assert detectable_text("@acme https://acme.example.com/very/long/path?q=1") is None
    assert detect_languages(["@acme_support https://acme.com Der Kundenservice ist furchtbar"]) == [
        "de"
    ]


def test_mentions_use_title_and_body():
    batch = [
        {"id": "a", "title": "Kundenservice", "body": "Die Antwort kam nach drei Wochen."},
        {"id": "b", "title": None, "body": None},
        {"id": "c", "title": "Slow support", "body": "They took a week to reply to my email."},
    ]
    assert detect_mention_languages(batch) == ["de", None, "en"]


def test_out_of_domain_is_a_known_language_other_than_english():
    assert is_out_of_domain("de")
    assert not is_out_of_domain("en")
    assert not is_out_of_domain(None)
    assert not is_out_of_domain("de", in_domain=frozenset({"en", "de"}))


def test_plainly_english_texts_skip_lingua_and_others_do_not():
    assert is_plainly_english("Setting up the integration was easy and it works with our CRM")
    for text in (
        "Het is een goede app voor het werk, maar de sync is traag",  # Dutch: "is" only
        "Das ist in Ordnung, aber die App ist zu langsam",  # German: "in" only
        "The app is great, c'est très pratique pour mon équipe",  # not plain ASCII
    ):
        assert not is_plainly_english(text), text
    texts = ["Het is een goede app voor het werk, maar de sync is traag",
             "We moved to it last year and the support is good"]  # fmt: skip
    assert detect_languages(texts) == ["nl", "en"]


def test_a_text_is_unread_only_when_lingua_is_sure_of_a_language_the_models_do_not_read():
    texts = [
        "Four Stars good prduct",  # lingua: French, unsure
        "All were broken",  # lingua: Dutch, unsure
        "Der Kundendienst antwortet nie auf unsere Anfragen, wir kündigen zum Monatsende.",
        "El soporte no contesta nuestros correos desde hace una semana.",
        "The support team never answered my ticket.",
        "",
    ]
    langs = detect_languages(texts)
    assert langs[:2] == ["fr", "nl"] and langs[2:] == ["de", "es", "en", None]
    assert unread_flags(texts, langs) == [False, False, True, True, False, False]
