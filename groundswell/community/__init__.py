"""Community intelligence: who talks to whom, who speaks up for the brand, who could answer an
open question, and which ideas customers keep asking for.

Runs after tagging (``groundswell tag`` runs it when it tagged something; ``groundswell
community`` runs it alone). One job per module, each with its ``save_x(db, rows)``:

- ``intent``: the intent head (feature request, bug report, question, praise, complaint, other)
  behind the ``intent`` tagging stage;
- ``vectors``: the text embeddings the intent stage keeps for questions and feature requests;
- ``interactions``: the reply graph (reply / answer / quote) from the stored thread structure;
- ``ties``: tie strength per pair of people (frequency, recency, reciprocity, intensity);
- ``defenders`` and ``advocates``: defences of the brand, candidate advocates;
- ``experts``: who answered questions like each open one;
- ``ideas``: feature requests clustered into ideas, incrementally, with stable ids;
- ``run``: the whole pass, in order.

The formulas are in docs/community.md.
"""

from groundswell.community.run import CommunityReport, run_community_pass

__all__ = ["CommunityReport", "run_community_pass"]
