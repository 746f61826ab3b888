"""The weekly digest: what the week held (``data``), rendered as HTML, Markdown and images
(``render``), stored and written (``build``), emailed (``send``)."""
