"""Alerts for advocates: rules (``rules``), the outbox (``outbox``), messages (``messages``)
and delivery over email and Apprise channels (``delivery``)."""
