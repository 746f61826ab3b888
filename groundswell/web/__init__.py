"""Datasette over the groundswell database (``serve``), with the project's plugins, templates,
static files and metadata shipped beside it as package data."""
