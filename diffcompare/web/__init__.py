"""The browser's front end: ``serve`` (a local web application) and the pages it shares
with ``report``. It converts requests into the library's calls and hands the results to
render/; it computes nothing of its own."""
