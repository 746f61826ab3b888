"""One base for every error groundswell reports to its user.

The domain errors (a broken config, a page a parser cannot read, a bad monitor query, a failed
delivery...) inherit ``GroundswellError``; the CLI turns any of them into a one-line message
instead of a traceback. Each also keeps the built-in type it had (``ValueError``, ``KeyError``,
``RuntimeError``), so code that caught those still does.
"""


class GroundswellError(Exception):
    """Something went wrong that the user can fix or needs to know; the message says what."""

    def __str__(self) -> str:  # KeyError's str() would quote the message
        return str(self.args[0]) if len(self.args) == 1 else super().__str__()


def did_you_mean(word: str, choices) -> str:
    """``" (did you mean 'yelp'?)"`` when one of ``choices`` is close to ``word``, else ``""``."""
    from difflib import get_close_matches

    close = get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
