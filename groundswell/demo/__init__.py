"""The demo: an invented site in the shapes real sites use, served on 127.0.0.1, crawled by the
real spiders (``groundswell demo``)."""

from groundswell.demo.run import run_demo, tag_demo

__all__ = ["run_demo", "tag_demo"]
