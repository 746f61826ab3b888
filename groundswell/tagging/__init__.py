"""The tagging stages over batches of untagged mentions: language, duplicates, monitors,
sentiment, topics and keyphrases (``tagger`` runs them)."""
