"""Scripts that reproduce the trained artifacts under ``groundswell/models/artifacts/``
(``make train-sentiment``, ``make train-student``, ``python -m training.train_topics``).
They read ``../shared/data`` and are not part of the wheel."""
