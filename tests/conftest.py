"""Hypothesis's profiles, loaded before any test module: "dev" for `make test`, "ci" (more
examples) for `.ci/run`. Both derandomized: the examples come from a fixed seed and no
example database is kept, so a run passes or fails the same way every time, on any machine,
idle or loaded; the fuzzing is widened by raising the count, not by chance."""

import os

from hypothesis import HealthCheck, settings

# The ci profile's count keeps the whole suite well under CI's 3 minutes on 2 cores: each
# example of the property tests' comparisons runs every method and the reference.
for name, examples in (("dev", 60), ("ci", 100)):
    settings.register_profile(name, max_examples=examples, deadline=None, derandomize=True,
                              database=None,
                              suppress_health_check=[HealthCheck.too_slow,
                                                     HealthCheck.filter_too_much])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

# A pipe is 200 columns wide unless COLUMNS says otherwise (cli/common.py): the tests read
# whole tables from pipes, whatever terminal the suite was started in.
os.environ.pop("COLUMNS", None)


def pytest_terminal_summary(terminalreporter):
    """One line for the browser tests a machine without Chromium could not run."""
    skipped = [r for r in terminalreporter.stats.get("skipped", [])
               if "test_browser.py" in getattr(r, "nodeid", "")]
    if skipped:
        reason = skipped[0].longrepr[-1] if isinstance(skipped[0].longrepr, tuple) else ""
        terminalreporter.write_line(f"browser tests not run: {len(skipped)}, because "
                                    f"{str(reason).removeprefix('Skipped: ')}")
