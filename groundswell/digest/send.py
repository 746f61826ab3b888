"""Email a digest: an HTML message with its images inline (``cid:``) and a plain-text part.

``build_message`` builds ``multipart/alternative`` (the Markdown as text/plain, then a
``multipart/related`` holding the HTML and its PNGs, each with a Content-ID the HTML points
to); ``send_digest_email`` hands any message to the ``[smtp]`` server.
"""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from groundswell.config import SmtpConfig
from groundswell.errors import GroundswellError


class DigestSendError(GroundswellError, RuntimeError):
    """The digest could not be sent: no recipients, or the SMTP server refused or failed."""


def content_id(name: str) -> str:
    """A fresh ``<...@groundswell.digest>`` Content-ID for the image ``name`` (cloud, trend)."""
    return make_msgid(idstring=name, domain="groundswell.digest")


def cid_reference(cid: str) -> str:
    return "cid:" + cid.strip("<>")


def build_message(
    subject: str, sender: str, recipients: Sequence[str], text: str, html: str,
    images: dict[str, bytes],
) -> EmailMessage:  # fmt: skip
    """``images`` maps Content-IDs (as from ``content_id``) to PNG bytes the HTML references."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="groundswell.digest")
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    html_part = message.get_payload()[1]
    for cid, png in images.items():
        html_part.add_related(png, maintype="image", subtype="png", cid=cid,
                              filename=f"{cid.strip('<>').split('@')[0]}.png",
                              disposition="inline")  # fmt: skip
    return message


def send_digest_email(
    smtp_config: SmtpConfig, recipients: Sequence[str], message: EmailMessage
) -> None:
    """Send ``message`` to ``recipients`` through the configured SMTP server.

    The connection (SMTPS or STARTTLS, login, timeout) is the alert sender's own
    (``groundswell.alerts.delivery.SmtpSender.connect``), so both honour ``[smtp]`` alike.
    """
    from groundswell.alerts.delivery import ChannelError, SmtpSender

    if not recipients:
        raise DigestSendError("no recipients: set [digest] recipients in the config")
    where = f"{smtp_config.host}:{smtp_config.port}"
    try:
        with SmtpSender(smtp_config).connect() as client:
            refused = client.send_message(message, from_addr=smtp_config.sender,
                                          to_addrs=list(recipients))  # fmt: skip
    except (smtplib.SMTPException, OSError, ChannelError) as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise DigestSendError(f"could not send the digest via {where}: {reason}") from None
    if refused:
        raise DigestSendError(f"the SMTP server at {where} refused: {', '.join(sorted(refused))}")
